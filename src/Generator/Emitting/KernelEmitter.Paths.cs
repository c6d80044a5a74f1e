using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    internal static partial class KernelEmitter
    {
        /// <summary>
        /// One vector width's single-row micro-kernels, for the engine's <c>IHeadDimensionPath</c> slot: d unrolled into
        /// vectors, the scale folded in. The engine's tile micro-kernels of this width take d and the scale from here.
        /// </summary>
        private static void WritePath(CodeWriter writer, PathPlan path, int headDimension)
        {
            writer.Line($"/// <summary>Head dimension in {Lit.Xml(path.Description)}: {Lit.Xml(DescribeLayout(path))}.</summary>");
            writer.Open($"private readonly struct {path.Name} : global::KernelGen.Engine.IHeadDimensionPath");
            writer.Line("public static int HeadDimension => " + Lit.Int(headDimension) + ";");
            writer.Line();
            writer.Line("public static float ScoreScale => Scale;");
            writer.Line();
            writer.Line(path.RowTile > 0
                ? $"public static int RowTile => {Lit.Int(path.RowTile)}; // the engine's {Lit.Int(path.Lanes * 32)}-bit tiles: {Lit.Int(path.RowTile)} rows x 16 keys"
                : path.Lanes == 1 ? "public static int RowTile => 0; // no tiles: rows one at a time" : "public static int RowTile => 0; // no tiles: the window is too narrow for them to pay");
            writer.Line();
            WriteScore(writer, path);
            writer.Line();
            WriteAccumulate(writer, path);
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
