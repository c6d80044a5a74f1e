using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    internal static partial class KernelEmitter
    {
        /// <summary>
        /// One vector width's micro-kernels, for the engine's <c>IHeadDimensionPath</c> slot: d and the scale are constants
        /// here, so the engine's loops over them compile to the unrolled code below.
        /// </summary>
        private static void WritePath(CodeWriter writer, PathPlan path, int headDimension)
        {
            writer.Line($"/// <summary>Head dimension in {Lit.Xml(path.Description)}: {Lit.Xml(DescribeLayout(path))}.</summary>");
            writer.Open($"private readonly struct {path.Name} : global::KernelGen.Engine.IHeadDimensionPath");
            writer.Line("public static int HeadDimension => " + Lit.Int(headDimension) + ";");
            writer.Line();
            WriteScore(writer, path);
            writer.Line();
            WriteAccumulate(writer, path);
            writer.Line();
            WriteTiles(writer, path, headDimension);
            writer.Close();
        }

        private static void WriteScore(CodeWriter writer, PathPlan path)
        {
            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open("public static void ScoreBlock(ref float queryVector, ref float keyRows, Span<float> scores)");
            Chunk[] chunks = path.Chunks.ToArray();
            if (chunks.Length > 0)
            {
                writer.Line("// The query row stays in registers while the keys stream past.");
                for (int i = 0; i < chunks.Length; i++)
                {
                    Width width = new(chunks[i].Lanes);
                    writer.Line($"{width.Type} query{i} = {width.Load("queryVector", Lit.Int(chunks[i].Offset))};");
                }

                writer.Line();
            }

            writer.Open("for (int keyRow = 0; keyRow < scores.Length; keyRow++)");
            writer.Line("ref float keyVector = ref Unsafe.Add(ref keyRows, keyRow * HeadDimension);");

            var sums = new List<string>();
            if (path.LoopedLength > 0)
            {
                Width width = new(path.Lanes);
                string dot = "dot" + width.Suffix;
                writer.Line($"{width.Type} {dot} = {width.Zero};");
                writer.Open($"for (int column = 0; column < {Lit.Int(path.LoopedLength)}; column += {Lit.Int(path.Lanes)})");
                writer.Line($"{dot} = {width.MultiplyAdd(width.Load("queryVector", width.Column), width.Load("keyVector", width.Column), dot)};");
                writer.Close();
                sums.Add(width.Sum(dot));
            }

            var declared = new HashSet<int>(path.LoopedLength > 0 ? new[] { path.Lanes } : new int[0]);
            for (int i = 0; i < chunks.Length; i++)
            {
                Width width = new(chunks[i].Lanes);
                string dot = "dot" + width.Suffix;
                string keyChunk = width.Load("keyVector", Lit.Int(chunks[i].Offset));
                if (declared.Add(width.Lanes))
                {
                    writer.Line($"{width.Type} {dot} = query{i} * {keyChunk};");
                    sums.Add(width.Sum(dot));
                }
                else
                {
                    writer.Line($"{dot} = {width.MultiplyAdd($"query{i}", keyChunk, dot)};");
                }
            }

            writer.Line($"scores[keyRow] = ({string.Join(" + ", sums)}) * Scale;");
            writer.Close();
            writer.Close();
        }

        private static void WriteAccumulate(CodeWriter writer, PathPlan path)
        {
            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open("public static void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueRows)");
            writer.Line("ref float accumulatorStart = ref MemoryMarshal.GetReference(accumulator);");
            Chunk[] chunks = path.Chunks.ToArray();
            Width loopWidth = new(path.Lanes);
            if (path.LoopedLength > 0)
            {
                writer.Line("// Rescale the accumulator by the softmax correction.");
                writer.Open($"for (int column = 0; column < {Lit.Int(path.LoopedLength)}; column += {Lit.Int(path.Lanes)})");
                writer.Line(loopWidth.Store($"{loopWidth.Load("accumulatorStart", loopWidth.Column)} * correction", "accumulatorStart", loopWidth.Column));
                writer.Close();
                writer.Line();
            }

            if (chunks.Length > 0)
            {
                writer.Line("// The accumulator stays in registers across the block; rescale it by the softmax correction first.");
                for (int i = 0; i < chunks.Length; i++)
                {
                    Width width = new(chunks[i].Lanes);
                    writer.Line($"{width.Type} sum{i} = {width.Load("accumulatorStart", Lit.Int(chunks[i].Offset))} * correction;");
                }

                writer.Line();
            }

            writer.Open("for (int keyRow = 0; keyRow < weights.Length; keyRow++)");
            writer.Line("ref float valueVector = ref Unsafe.Add(ref valueRows, keyRow * HeadDimension);");
            writer.Line("float weight = weights[keyRow];");
            IEnumerable<int> lanes = chunks.Select(static c => c.Lanes);
            if (path.LoopedLength > 0)
            {
                lanes = new[] { path.Lanes }.Concat(lanes);
            }

            foreach (int laneCount in lanes.Distinct().Where(static l => l > 1))
            {
                Width width = new(laneCount);
                writer.Line($"{width.Type} weight{width.Suffix} = {width.Api}.Create(weight);");
            }

            if (path.LoopedLength > 0)
            {
                string column = loopWidth.Column;
                writer.Open($"for (int column = 0; column < {Lit.Int(path.LoopedLength)}; column += {Lit.Int(path.Lanes)})");
                writer.Line(loopWidth.Store(
                    loopWidth.MultiplyAdd(loopWidth.WeightName, loopWidth.Load("valueVector", column), loopWidth.Load("accumulatorStart", column)),
                    "accumulatorStart",
                    column));
                writer.Close();
            }

            for (int i = 0; i < chunks.Length; i++)
            {
                Width width = new(chunks[i].Lanes);
                writer.Line($"sum{i} = {width.MultiplyAdd(width.WeightName, width.Load("valueVector", Lit.Int(chunks[i].Offset)), $"sum{i}")};");
            }

            writer.Close();
            if (chunks.Length > 0)
            {
                writer.Line();
                for (int i = 0; i < chunks.Length; i++)
                {
                    Width width = new(chunks[i].Lanes);
                    writer.Line(width.Store($"sum{i}", "accumulatorStart", Lit.Int(chunks[i].Offset)));
                }
            }

            writer.Close();
        }

        /// <summary>
        /// The tiled micro-kernel of one width: RowTile rows x 16 keys. Scores are built column by column from the packed
        /// block (one load of 16 keys' values, one broadcast per row, one FMA per row and vector), so there is no horizontal
        /// sum; the weighted values are accumulated for all rows while each value row is loaded once.
        /// </summary>
        private static void WriteTiles(CodeWriter writer, PathPlan path, int headDimension)
        {
            writer.Line($"public static int RowTile => {Lit.Int(path.RowTile)};");
            writer.Line();
            if (path.RowTile == 0)
            {
                // The plan gives this path no tiles (the scalar path, or a window too narrow for tiles to pay): the engine
                // runs every row through ScoreBlock and AccumulateBlock and never calls these.
                string reason = path.Lanes == 1 ? "The scalar path has no tiles." : "Rows run one at a time: the window is too narrow for tiles.";
                writer.Line($"public static void ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores) => throw new InvalidOperationException({Lit.String(reason)});");
                writer.Line();
                writer.Line("public static void AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount) =>");
                writer.Line($"    throw new InvalidOperationException({Lit.String(reason)});");
                return;
            }

            Width width = new(path.Lanes);
            int vectorsPerRow = 16 / path.Lanes;
            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open("public static void ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores)");
            writer.Line($"// {Lit.Int(path.RowTile)} rows x 16 keys in {Lit.Int(path.RowTile * vectorsPerRow)} accumulators; column c of the packed block holds dimension c of the 16 keys.");
            for (int row = 0; row < path.RowTile; row++)
            {
                for (int part = 0; part < vectorsPerRow; part++)
                {
                    writer.Line($"{width.Type} score{row}_{part} = {width.Zero};");
                }
            }

            writer.Open("for (int column = 0; column < HeadDimension; column++)");
            for (int part = 0; part < vectorsPerRow; part++)
            {
                writer.Line($"{width.Type} keys{part} = {width.Api}.LoadUnsafe(ref packedBlock, (nuint)(column * 16{(part == 0 ? string.Empty : " + " + Lit.Int(part * path.Lanes))}));");
            }

            for (int row = 0; row < path.RowTile; row++)
            {
                writer.Line($"{width.Type} query{row} = {width.Api}.Create(Unsafe.Add(ref queryRows, {(row == 0 ? string.Empty : Lit.Int(row * headDimension) + " + ")}column));");
                for (int part = 0; part < vectorsPerRow; part++)
                {
                    writer.Line($"score{row}_{part} = {width.MultiplyAdd($"query{row}", $"keys{part}", $"score{row}_{part}")};");
                }
            }

            writer.Close();
            writer.Line();
            writer.Line("ref float scoreStart = ref MemoryMarshal.GetReference(scores);");
            for (int row = 0; row < path.RowTile; row++)
            {
                for (int part = 0; part < vectorsPerRow; part++)
                {
                    string at = (row == 0 ? string.Empty : $"{Lit.Int(row)} * KeyBlock") + (part == 0 ? string.Empty : (row == 0 ? string.Empty : " + ") + Lit.Int(part * path.Lanes));
                    writer.Line($"(score{row}_{part} * Scale).StoreUnsafe(ref scoreStart, {(at.Length == 0 ? "0" : at)});");
                }
            }

            writer.Close();
            writer.Line();
            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open("public static void AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount)");
            writer.Line("ref float accumulatorStart = ref MemoryMarshal.GetReference(accumulators);");
            writer.Line("ref float weightStart = ref MemoryMarshal.GetReference(weights);");
            for (int row = 0; row < path.RowTile; row++)
            {
                writer.Line($"float correction{row} = corrections[{Lit.Int(row)}];");
            }

            int mainLength = headDimension / path.Lanes * path.Lanes;
            if (mainLength > 0)
            {
                writer.Line();
                writer.Open($"for (int column = 0; column < {Lit.Int(mainLength)}; column += {Lit.Int(path.Lanes)})");
                WriteTileChunk(writer, path.RowTile, width, "column", headDimension);
                writer.Close();
            }

            // The plan's chunks past the full-width part are the remainder (narrower vectors, then scalars).
            foreach (Chunk chunk in path.Chunks)
            {
                if (chunk.Offset >= mainLength)
                {
                    writer.Line();
                    writer.Open();
                    WriteTileChunk(writer, path.RowTile, new Width(chunk.Lanes), Lit.Int(chunk.Offset), headDimension);
                    writer.Close();
                }
            }

            writer.Close();
        }

        /// <summary>One chunk of the output rows: load and rescale, add every key's weighted value chunk, store.</summary>
        private static void WriteTileChunk(CodeWriter writer, int rowTile, Width width, string column, int headDimension)
        {
            string Offset(string expression) => width.Lanes == 1 ? expression : $"(nuint)({expression})";
            for (int row = 0; row < rowTile; row++)
            {
                string at = row == 0 ? column : $"{Lit.Int(row * headDimension)} + {column}";
                writer.Line($"{width.Type} sum{row} = {width.Load("accumulatorStart", Offset(at))} * correction{row};");
            }

            writer.Open("for (int key = 0; key < keyCount; key++)");
            writer.Line($"{width.Type} values = {width.Load("valueRows", Offset($"key * HeadDimension + {column}"))};");
            for (int row = 0; row < rowTile; row++)
            {
                string weight = $"Unsafe.Add(ref weightStart, {(row == 0 ? string.Empty : Lit.Int(row) + " * KeyBlock + ")}key)";
                writer.Line($"sum{row} = {width.MultiplyAdd(width.Lanes == 1 ? weight : $"{width.Api}.Create({weight})", "values", $"sum{row}")};");
            }

            writer.Close();
            for (int row = 0; row < rowTile; row++)
            {
                string at = row == 0 ? column : $"{Lit.Int(row * headDimension)} + {column}";
                writer.Line(width.Store($"sum{row}", "accumulatorStart", Offset(at)));
            }
        }

        /// <summary>The spelling of one vector width (or scalar float, <c>Lanes == 1</c>) in generated code.</summary>
        private readonly struct Width
        {
            public Width(int lanes)
            {
                Lanes = lanes;
            }

            public int Lanes { get; }

            private bool IsScalar => Lanes == 1;

            public string Api => "Vector" + Lit.Int(Lanes * 32);

            public string Type => IsScalar ? "float" : Api + "<float>";

            public string Suffix => IsScalar ? "Scalar" : Lit.Int(Lanes * 32);

            public string Zero => IsScalar ? "0f" : Type + ".Zero";

            /// <summary>The loop variable as an element offset of the right type.</summary>
            public string Column => IsScalar ? "column" : "(nuint)column";

            public string WeightName => IsScalar ? "weight" : "weight" + Suffix;

            public string Load(string reference, string offset) =>
                IsScalar ? $"Unsafe.Add(ref {reference}, {offset})" : $"{Api}.LoadUnsafe(ref {reference}, {offset})";

            public string Store(string value, string reference, string offset) =>
                IsScalar ? $"Unsafe.Add(ref {reference}, {offset}) = {value};"
                    : value.Contains(" ") ? $"({value}).StoreUnsafe(ref {reference}, {offset});" : $"{value}.StoreUnsafe(ref {reference}, {offset});";

            public string MultiplyAdd(string left, string right, string addend) =>
                // Deterministic on every JIT tier (MultiplyAddEstimate is fused or not depending on tier): fused on the
                // 512- and 256-bit paths, whose processors have FMA; multiply then add on the 128-bit and scalar fallbacks.
                Lanes >= 8 ? $"{Api}.FusedMultiplyAdd({left}, {right}, {addend})" : $"{left} * {right} + {addend}";

            public string Sum(string value) => IsScalar ? value : $"{Api}.Sum({value})";
        }
    }
}
