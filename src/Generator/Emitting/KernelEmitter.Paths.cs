using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    internal static partial class KernelEmitter
    {
        private static void WritePathInterface(CodeWriter writer, bool hasGlobals)
        {
            writer.Line("/// <summary>The head-dimension code of one vector width; the row loop is generic over it, so each width is compiled separately.</summary>");
            writer.Open("private interface IHeadDimensionPath");
            writer.Line("/// <summary>scores[t] = Scale * dot(queryVector, key row t), for the contiguous key rows starting at keyRows.</summary>");
            writer.Line("static abstract void ScoreBlock(ref float queryVector, ref float keyRows, Span<float> scores);");
            writer.Line();
            writer.Line("/// <summary>accumulator = correction * accumulator + sum over t of weights[t] * value row t.</summary>");
            writer.Line("static abstract void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueRows);");
            if (hasGlobals)
            {
                writer.Line();
                writer.Line("/// <summary>As ScoreBlock, for the key rows listed in keyIndices.</summary>");
                writer.Line("static abstract void ScoreKeys(ref float queryVector, ref float keyStart, ReadOnlySpan<int> keyIndices, Span<float> scores);");
                writer.Line();
                writer.Line("/// <summary>As AccumulateBlock, for the value rows listed in keyIndices.</summary>");
                writer.Line("static abstract void AccumulateKeys(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueStart, ReadOnlySpan<int> keyIndices);");
            }

            writer.Close();
        }

        private static void WritePath(CodeWriter writer, PathPlan path, bool hasGlobals)
        {
            writer.Line($"/// <summary>Head dimension in {Lit.Xml(path.Description)}: {Lit.Xml(DescribeLayout(path))}.</summary>");
            writer.Open($"private readonly struct {path.Name} : IHeadDimensionPath");
            WriteScore(writer, path, gathered: false);
            writer.Line();
            WriteAccumulate(writer, path, gathered: false);
            if (hasGlobals)
            {
                writer.Line();
                WriteScore(writer, path, gathered: true);
                writer.Line();
                WriteAccumulate(writer, path, gathered: true);
            }

            writer.Close();
        }

        private static void WriteScore(CodeWriter writer, PathPlan path, bool gathered)
        {
            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open(gathered
                ? "public static void ScoreKeys(ref float queryVector, ref float keyStart, ReadOnlySpan<int> keyIndices, Span<float> scores)"
                : "public static void ScoreBlock(ref float queryVector, ref float keyRows, Span<float> scores)");
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

            writer.Open(gathered
                ? "for (int keyRow = 0; keyRow < keyIndices.Length; keyRow++)"
                : "for (int keyRow = 0; keyRow < scores.Length; keyRow++)");
            writer.Line(gathered
                ? "ref float keyVector = ref Unsafe.Add(ref keyStart, keyIndices[keyRow] * HeadDimension);"
                : "ref float keyVector = ref Unsafe.Add(ref keyRows, keyRow * HeadDimension);");

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

        private static void WriteAccumulate(CodeWriter writer, PathPlan path, bool gathered)
        {
            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open(gathered
                ? "public static void AccumulateKeys(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueStart, ReadOnlySpan<int> keyIndices)"
                : "public static void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueRows)");
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
            writer.Line(gathered
                ? "ref float valueVector = ref Unsafe.Add(ref valueStart, keyIndices[keyRow] * HeadDimension);"
                : "ref float valueVector = ref Unsafe.Add(ref valueRows, keyRow * HeadDimension);");
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
                IsScalar ? $"{left} * {right} + {addend}" : $"{Api}.MultiplyAddEstimate({left}, {right}, {addend})";

            public string Sum(string value) => IsScalar ? value : $"{Api}.Sum({value})";
        }
    }
}
