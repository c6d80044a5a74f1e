using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    internal static partial class KernelEmitter
    {
        /// <summary>The row loop: per query row, the key range the mask allows, then blocks of scores, softmax and P·V.</summary>
        private static void WriteRows(CodeWriter writer, KernelPlan plan)
        {
            MaskSpec mask = plan.Spec.Mask;
            writer.Line("/// <summary>Computes every query row with the head-dimension path <typeparamref name=\"TPath\"/>.</summary>");
            writer.Line("private static void RunRows<TPath>(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int queryCount, int keyCount)");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("// Per-row state lives on the stack: one block of scores and the unnormalised output row.");
            writer.Line("Span<float> scores = stackalloc float[KeyBlock];");
            writer.Line("Span<float> accumulator = stackalloc float[HeadDimension];");
            if (mask.HasGlobals)
            {
                writer.Line("Span<int> keyIndices = stackalloc int[KeyBlock];");
            }

            writer.Line("ref float queryStart = ref MemoryMarshal.GetReference(query);");
            writer.Line("ref float keyStart = ref MemoryMarshal.GetReference(key);");
            writer.Line("ref float valueStart = ref MemoryMarshal.GetReference(value);");
            if (!mask.MasksNothing)
            {
                writer.Line();
                writer.Line("// Query row i sits at key position p = i + Nk - Nq (bottom-right alignment).");
                writer.Line("int positionOffset = keyCount - queryCount;");
            }

            writer.Line();
            writer.Open("for (int queryRow = 0; queryRow < queryCount; queryRow++)");
            if (!mask.MasksNothing)
            {
                writer.Line("int position = queryRow + positionOffset;");
            }

            writer.Line("ref float queryVector = ref Unsafe.Add(ref queryStart, queryRow * HeadDimension);");
            writer.Line("float runningMax = float.NegativeInfinity;");
            writer.Line("float runningSum = 0f;");
            writer.Line("accumulator.Clear();");
            writer.Line();
            WriteKeyRange(writer, mask);
            writer.Line();
            writer.Line("// Tile loop over the contiguous keys [rangeStart, rangeEnd), KeyBlock keys at a time.");
            writer.Line("int blockStart = rangeStart;");
            writer.Open("while (blockStart < rangeEnd)");
            writer.Line("int blockLength = Math.Min(KeyBlock, rangeEnd - blockStart);");
            writer.Line("Span<float> blockScores = scores.Slice(0, blockLength);");
            writer.Line();
            writer.Line("// Scores: s = Scale * q . k for each key of the block.");
            writer.Line("TPath.ScoreBlock(ref queryVector, ref Unsafe.Add(ref keyStart, blockStart * HeadDimension), blockScores);");
            writer.Line();
            writer.Line("// Softmax update: new running max and sum; the scores become weights e^(s - max).");
            writer.Line("float correction = global::KernelGen.OnlineSoftmax.Update(blockScores, ref runningMax, ref runningSum);");
            writer.Line();
            writer.Line("// Accumulate: acc = correction * acc + sum of weight * value row.");
            writer.Line("TPath.AccumulateBlock(accumulator, correction, blockScores, ref Unsafe.Add(ref valueStart, blockStart * HeadDimension));");
            writer.Line("blockStart += blockLength;");
            writer.Close();
            if (mask.HasGlobals)
            {
                writer.Line();
                writer.Open("if (!globalRow)");
                writer.Line("// Tail: the global keys after the window (before visibleEnd).");
                writer.Line("AccumulateGlobalKeys<TPath>(rangeEnd, visibleEnd, ref queryVector, ref keyStart, ref valueStart, scores, keyIndices, accumulator, ref runningMax, ref runningSum);");
                writer.Close();
            }

            writer.Line();
            writer.Line("// Normalise: out = acc / sum, or zeros when the row saw no key.");
            writer.Line("global::KernelGen.OnlineSoftmax.Normalize(accumulator, runningSum, output.Slice(queryRow * HeadDimension, HeadDimension));");
            writer.Close();
            writer.Close();
        }

        private static void WriteKeyRange(CodeWriter writer, MaskSpec mask)
        {
            if (mask.MasksNothing)
            {
                writer.Line("// No mask: every key is visible.");
                writer.Line("int rangeStart = 0;");
                writer.Line("int rangeEnd = keyCount;");
                return;
            }

            if (!mask.HasWindow)
            {
                writer.Line("// Causal: keys 0 .. p; a row with p < 0 sees nothing (only when Nq > Nk).");
                writer.Line("int rangeStart = 0;");
                writer.Line("int rangeEnd = Math.Max(0, position + 1);");
                return;
            }

            writer.Line(mask.Causal
                ? "// Causal: keys after p are hidden. Invariant below: 0 <= rangeStart <= rangeEnd <= visibleEnd."
                : "// Every key up to Nk may be visible. Invariant below: 0 <= rangeStart <= rangeEnd <= visibleEnd.");
            writer.Line(mask.Causal ? "int visibleEnd = Math.Max(0, position + 1);" : "int visibleEnd = keyCount;");
            writer.Line("// Sliding window [p - WindowLeft, p + WindowRight], clipped (long arithmetic: no overflow for any p or window).");
            writer.Line("int rangeStart = (int)Math.Clamp((long)position - WindowLeft, 0L, visibleEnd);");
            writer.Line("int rangeEnd = (int)Math.Clamp((long)position + WindowRight + 1, rangeStart, visibleEnd);");
            if (mask.HasGlobals)
            {
                writer.Line();
                writer.Line("// A global row sees every visible key; any other row also sees the global keys outside its window.");
                writer.Line("bool globalRow = position >= 0 && GlobalPositions.BinarySearch(position) >= 0;");
                writer.Open("if (globalRow)");
                writer.Line("rangeStart = 0;");
                writer.Line("rangeEnd = visibleEnd;");
                writer.Close();
                writer.Open("else");
                writer.Line("// Global keys before the window.");
                writer.Line("AccumulateGlobalKeys<TPath>(0, rangeStart, ref queryVector, ref keyStart, ref valueStart, scores, keyIndices, accumulator, ref runningMax, ref runningSum);");
                writer.Close();
            }
        }

        private static void WriteGlobalKeys(CodeWriter writer)
        {
            writer.Line("/// <summary>Folds the global keys in [from, to) into the row's softmax state, up to KeyBlock keys at a time.</summary>");
            writer.Line("private static void AccumulateGlobalKeys<TPath>(int from, int to, ref float queryVector, ref float keyStart, ref float valueStart,");
            writer.Line("    Span<float> scores, Span<int> keyIndices, Span<float> accumulator, ref float runningMax, ref float runningSum)");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("ReadOnlySpan<int> globals = GlobalPositions;");
            writer.Line("int next = globals.BinarySearch(from);");
            writer.Open("if (next < 0)");
            writer.Line("next = ~next; // the first global position >= from");
            writer.Close();
            writer.Line();
            writer.Open("while (next < globals.Length && globals[next] < to)");
            writer.Line("int blockLength = 0;");
            writer.Open("while (blockLength < KeyBlock && next < globals.Length && globals[next] < to)");
            writer.Line("keyIndices[blockLength++] = globals[next++];");
            writer.Close();
            writer.Line();
            writer.Line("Span<float> blockScores = scores.Slice(0, blockLength);");
            writer.Line("ReadOnlySpan<int> blockKeys = keyIndices.Slice(0, blockLength);");
            writer.Line("TPath.ScoreKeys(ref queryVector, ref keyStart, blockKeys, blockScores);");
            writer.Line("float correction = global::KernelGen.OnlineSoftmax.Update(blockScores, ref runningMax, ref runningSum);");
            writer.Line("TPath.AccumulateKeys(accumulator, correction, blockScores, ref valueStart, blockKeys);");
            writer.Close();
            writer.Close();
        }
    }
}
