using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    internal static partial class KernelEmitter
    {
        /// <summary>
        /// The row loops: groups of TPath.RowTile query rows through the tiled micro-kernel (keys packed once per call),
        /// then the remaining rows (a decode step, a tail) one at a time over their exact key ranges.
        /// </summary>
        private static void WriteRows(CodeWriter writer, KernelPlan plan)
        {
            MaskSpec mask = plan.Spec.Mask;
            bool dynamic = plan.Spec.Batch is { HasDynamicMask: true };
            if (dynamic)
            {
                WriteSingleRows(writer, plan, dynamic);
                return;
            }

            string rangeWidth = mask.HasWindow ? "Math.Min(keyCount, (long)WindowLeft + WindowRight + 1)" : "keyCount";
            writer.Line("/// <summary>Computes every query row with the head-dimension path <typeparamref name=\"TPath\"/>.</summary>");
            writer.Line("private static void RunRows<TPath>(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp, int queryCount, int keyCount)");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("// Threads: rows are shared out in whole groups, so every row is computed the same way on any thread count.");
            if (plan.UseTiles)
            {
                writer.Line("// Tile loop: whole groups of TPath.RowTile rows share each packed key block (the scalar path has no groups).");
                writer.Line("int groupedRows = TPath.RowTile == 0 ? 0 : queryCount / TPath.RowTile * TPath.RowTile;");
                writer.Open("if (groupedRows > 0)");
                WritePackedRange(writer, mask);
                writer.Line("long packedLength = global::KernelGen.KeyPacking.PackedLength(packEnd - packStart, HeadDimension);");
                writer.Open("if (packedLength > global::KernelGen.KeyPacking.MaxPackedLength)");
                writer.Line("groupedRows = 0; // Too many keys to pack (over 256 MiB): every row takes the one-row path below, which needs no scratch.");
                writer.Close();
                writer.Open("else");
                writer.Line("// Keys packed once per call into 16-key blocks, transposed to [d][16]: a score tile needs no horizontal sums.");
                writer.Line("// The buffer comes from the shared pool, so a steady stream of calls allocates nothing.");
                writer.Line("float[] packed = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)packedLength);");
                writer.Open("try");
                writer.Line("global::KernelGen.KeyPacking.PackTransposed(key.Slice(packStart * HeadDimension, (packEnd - packStart) * HeadDimension), HeadDimension, packed);");
                writer.Line($"long work = (long)groupedRows * {rangeWidth} * HeadDimension;");
                writer.Line("global::KernelGen.AttentionThreading.ForRowGroups<RowGroups<TPath>>(");
                writer.Line("    query, key, value, output, logSumExp, packed.AsSpan(0, (int)packedLength), packStart, queryCount, keyCount, 0, groupedRows, TPath.RowTile, work);");
                writer.Close();
                writer.Open("finally");
                writer.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(packed);");
                writer.Close();
                writer.Close();
                writer.Close();
                writer.Line();
                writer.Line("// Rows left over (fewer than a group, e.g. a decode step): one at a time over exactly their key range.");
                writer.Open("if (groupedRows < queryCount)");
                writer.Line($"long work = (long)(queryCount - groupedRows) * {rangeWidth} * HeadDimension;");
                writer.Line("global::KernelGen.AttentionThreading.ForRowGroups<SingleRows<TPath>>(");
                writer.Line("    query, key, value, output, logSumExp, ReadOnlySpan<float>.Empty, 0, queryCount, keyCount, groupedRows, queryCount, 1, work);");
                writer.Close();
            }
            else
            {
                writer.Line($"// Every row one at a time over exactly its key range: the window is narrower than {Lit.Int(KernelPlanner.MinTiledWindow)} keys, too few for tiles to pay.");
                writer.Line($"long work = (long)queryCount * {rangeWidth} * HeadDimension;");
                writer.Line("global::KernelGen.AttentionThreading.ForRowGroups<SingleRows<TPath>>(");
                writer.Line("    query, key, value, output, logSumExp, ReadOnlySpan<float>.Empty, 0, queryCount, keyCount, 0, queryCount, 1, work);");
            }

            writer.Close();
            writer.Line();
            writer.Line("/// <summary>Single rows of one path, as the runtime's thread scheduler calls them.</summary>");
            writer.Line("private readonly struct SingleRows<TPath> : global::KernelGen.IRowRangeKernel");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("public static void Run(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,");
            writer.Line("    ReadOnlySpan<float> packedKeys, int packedFirstKey, int queryCount, int keyCount, int rowStart, int rowEnd) =>");
            writer.Line("    RunSingleRows<TPath>(query, key, value, output, logSumExp, queryCount, keyCount, rowStart, rowEnd);");
            writer.Close();
            writer.Line();
            WriteSingleRows(writer, plan, dynamic);
        }

        /// <summary>
        /// RunSingleRows and the loops under it. With run-time masks (<paramref name="dynamic"/>) every row runs here on
        /// the calling thread, takes keyMask and its mask row, and long rows are not split into chunks.
        /// </summary>
        private static void WriteSingleRows(CodeWriter writer, KernelPlan plan, bool dynamic)
        {
            MaskSpec mask = plan.Spec.Mask;
            string masks = dynamic ? ", keyMask, rowMask" : string.Empty;
            writer.Line("/// <summary>Rows [rowStart, rowEnd) one at a time, each over exactly its key range; per-row state lives on the stack.</summary>");
            writer.Line("private static void RunSingleRows<TPath>(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,");
            writer.Line(dynamic ? "    ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, int queryCount, int keyCount, int rowStart, int rowEnd)" : "    int queryCount, int keyCount, int rowStart, int rowEnd)");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("Span<float> scores = stackalloc float[KeyBlock];");
            writer.Line("Span<float> accumulator = stackalloc float[HeadDimension];");
            if (mask.HasGlobals)
            {
                writer.Line("Span<int> keyIndices = stackalloc int[KeyBlock];");
            }

            writer.Line("ref float queryStart = ref MemoryMarshal.GetReference(query);");
            writer.Line("ref float keyStart = ref MemoryMarshal.GetReference(key);");
            writer.Line("ref float valueStart = ref MemoryMarshal.GetReference(value);");
            writer.Open("for (int queryRow = rowStart; queryRow < rowEnd; queryRow++)");
            writer.Line("ref float queryVector = ref Unsafe.Add(ref queryStart, queryRow * HeadDimension);");
            writer.Line("float runningMax = float.NegativeInfinity;");
            writer.Line("float runningSum = 0f;");
            WriteRangeCall(writer, mask, "queryRow", "int rangeStart", "int rangeEnd", "int visibleEnd", "bool globalRow");
            if (dynamic)
            {
                writer.Line("ReadOnlySpan<bool> rowMask = mask.IsEmpty ? default : mask.Slice(queryRow * maskStride, keyCount);");
                writer.Line("accumulator.Clear();");
                writer.Line("AccumulateRange<TPath>(ref queryVector, ref keyStart, ref valueStart, rangeStart, rangeEnd, scores, accumulator, ref runningMax, ref runningSum, keyMask, rowMask);");
            }
            else
            {
                writer.Open("if (rangeEnd - rangeStart >= 2 * global::KernelGen.AttentionThreading.ChunkKeys)");
                writer.Line("// A long row (a decode step over a long cache): fixed chunks of keys on several threads, merged in order.");
                writer.Line("AccumulateChunks<TPath>(query.Slice(queryRow * HeadDimension, HeadDimension), key, value, rangeStart, rangeEnd, accumulator, out runningMax, out runningSum);");
                writer.Close();
                writer.Open("else");
                writer.Line("accumulator.Clear();");
                writer.Line("AccumulateRange<TPath>(ref queryVector, ref keyStart, ref valueStart, rangeStart, rangeEnd, scores, accumulator, ref runningMax, ref runningSum);");
                writer.Close();
            }
            if (mask.HasGlobals)
            {
                writer.Line();
                writer.Open("if (!globalRow)");
                writer.Line("// Global keys outside the window: before it, and after it up to visibleEnd.");
                writer.Line($"AccumulateGlobalKeys<TPath>(0, rangeStart, ref queryVector, ref keyStart, ref valueStart, scores, keyIndices, accumulator, ref runningMax, ref runningSum{masks});");
                writer.Line($"AccumulateGlobalKeys<TPath>(rangeEnd, visibleEnd, ref queryVector, ref keyStart, ref valueStart, scores, keyIndices, accumulator, ref runningMax, ref runningSum{masks});");
                writer.Close();
            }

            writer.Line();
            writer.Line("// Normalise: out = acc / sum, or zeros when the row saw no key.");
            writer.Line("global::KernelGen.OnlineSoftmax.Normalize(accumulator, runningSum, output.Slice(queryRow * HeadDimension, HeadDimension));");
            writer.Open("if (!logSumExp.IsEmpty)");
            writer.Line("logSumExp[queryRow] = global::KernelGen.OnlineSoftmax.LogSumExp(runningMax, runningSum);");
            writer.Close();
            writer.Close();
            writer.Close();
            writer.Line();
            WriteRangeLoop(writer, dynamic);
            if (dynamic)
            {
                if (!mask.MasksNothing)
                {
                    writer.Line();
                    WriteRowRange(writer, mask);
                }

                return;
            }

            writer.Line();
            WriteChunks(writer);
            if (plan.UseTiles)
            {
                writer.Line();
                WriteRowGroups(writer, plan);
            }

            if (!mask.MasksNothing)
            {
                writer.Line();
                WriteRowRange(writer, mask);
            }
        }

        /// <summary>The contiguous-key loop shared by single rows and key chunks: blocks of scores, softmax update, P·V.</summary>
        private static void WriteRangeLoop(CodeWriter writer, bool dynamic)
        {
            writer.Line("/// <summary>Folds the keys [start, end) into one row's softmax state, KeyBlock keys at a time.</summary>");
            writer.Line("private static void AccumulateRange<TPath>(ref float queryVector, ref float keyStart, ref float valueStart, int start, int end,");
            writer.Line(dynamic
                ? "    Span<float> scores, Span<float> accumulator, ref float runningMax, ref float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask)"
                : "    Span<float> scores, Span<float> accumulator, ref float runningMax, ref float runningSum)");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("int blockStart = start;");
            writer.Open("while (blockStart < end)");
            writer.Line("int blockLength = Math.Min(KeyBlock, end - blockStart);");
            writer.Line("Span<float> blockScores = scores.Slice(0, blockLength);");
            if (dynamic)
            {
                writer.Open("if (global::KernelGen.DynamicMask.AllDropped(keyMask, blockStart, blockLength))");
                writer.Line("blockStart += blockLength; // every key of the block is dropped for this call: never read");
                writer.Line("continue;");
                writer.Close();
            }

            writer.Line();
            writer.Line("// Scores: s = Scale * q . k for each key of the block.");
            writer.Line("TPath.ScoreBlock(ref queryVector, ref Unsafe.Add(ref keyStart, blockStart * HeadDimension), blockScores);");
            if (dynamic)
            {
                writer.Line("bool masked = global::KernelGen.DynamicMask.Apply(blockScores, keyMask, rowMask, blockStart);");
            }

            writer.Line();
            writer.Line("// Softmax update: new running max and sum; the scores become weights e^(s - max).");
            writer.Line("float correction = global::KernelGen.OnlineSoftmax.Update(blockScores, ref runningMax, ref runningSum);");
            writer.Line();
            writer.Line("// Accumulate: acc = correction * acc + sum of weight * value row.");
            if (dynamic)
            {
                writer.Line("ReadOnlySpan<float> blockValues = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref valueStart, blockStart * HeadDimension), blockLength * HeadDimension);");
                writer.Open("if (masked && !global::KernelGen.Reductions.AllFinite(blockValues))");
                writer.Line("// A masked key's value is NaN or infinite: skip zero weights rather than multiply them (0 * inf is NaN).");
                writer.Line("global::KernelGen.OnlineSoftmax.AccumulateNonZero(accumulator, MemoryMarshal.CreateReadOnlySpan(ref correction, 1), blockScores, blockLength, blockValues, 1, HeadDimension);");
                writer.Close();
                writer.Open("else");
                writer.Line("TPath.AccumulateBlock(accumulator, correction, blockScores, ref Unsafe.Add(ref valueStart, blockStart * HeadDimension));");
                writer.Close();
            }
            else
            {
                writer.Line("TPath.AccumulateBlock(accumulator, correction, blockScores, ref Unsafe.Add(ref valueStart, blockStart * HeadDimension));");
            }

            writer.Line("blockStart += blockLength;");
            writer.Close();
            writer.Close();
        }

        /// <summary>Long rows split into fixed key chunks (a decode step's cache on several threads) and their merge.</summary>
        private static void WriteChunks(CodeWriter writer)
        {
            writer.Line("/// <summary>");
            writer.Line("/// One row over keys [rangeStart, rangeEnd) in chunks of AttentionThreading.ChunkKeys, computed on up to");
            writer.Line("/// MaxDegreeOfParallelism threads and merged in chunk order (log-sum-exp): the same result on any thread count.");
            writer.Line("/// </summary>");
            writer.Line("private static void AccumulateChunks<TPath>(ReadOnlySpan<float> queryRow, ReadOnlySpan<float> key, ReadOnlySpan<float> value, int rangeStart, int rangeEnd,");
            writer.Line("    Span<float> accumulator, out float runningMax, out float runningSum)");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("int chunks = (int)(((long)rangeEnd - rangeStart + global::KernelGen.AttentionThreading.ChunkKeys - 1) / global::KernelGen.AttentionThreading.ChunkKeys);");
            writer.Line("int length = chunks * (HeadDimension + 2);");
            writer.Line("float[] partials = global::System.Buffers.ArrayPool<float>.Shared.Rent(length);");
            writer.Open("try");
            writer.Line("global::KernelGen.AttentionThreading.ForKeyChunks<KeyChunks<TPath>>(");
            writer.Line("    queryRow, key, value, partials.AsSpan(0, length), rangeStart, rangeEnd, global::KernelGen.AttentionThreading.ChunkKeys);");
            writer.Line("global::KernelGen.OnlineSoftmax.MergeChunks(partials.AsSpan(0, length), chunks, accumulator, out runningMax, out runningSum);");
            writer.Close();
            writer.Open("finally");
            writer.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(partials);");
            writer.Close();
            writer.Close();
            writer.Line();
            writer.Line("/// <summary>Chunk states of one long row, as the runtime's thread scheduler calls them.</summary>");
            writer.Line("private readonly struct KeyChunks<TPath> : global::KernelGen.IKeyChunkKernel");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("public static void Run(ReadOnlySpan<float> queryRow, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> partials,");
            writer.Line("    int rangeStart, int rangeEnd, int chunkKeys, int chunkStart, int chunkEnd)");
            writer.Open();
            writer.Line("Span<float> scores = stackalloc float[KeyBlock];");
            writer.Line("ref float queryVector = ref MemoryMarshal.GetReference(queryRow);");
            writer.Line("ref float keyStart = ref MemoryMarshal.GetReference(key);");
            writer.Line("ref float valueStart = ref MemoryMarshal.GetReference(value);");
            writer.Open("for (int chunk = chunkStart; chunk < chunkEnd; chunk++)");
            writer.Line("// State layout: the accumulator (d floats), then the chunk's max, then its sum.");
            writer.Line("Span<float> state = partials.Slice(chunk * (HeadDimension + 2), HeadDimension + 2);");
            writer.Line("Span<float> accumulator = state.Slice(0, HeadDimension);");
            writer.Line("accumulator.Clear();");
            writer.Line("float runningMax = float.NegativeInfinity;");
            writer.Line("float runningSum = 0f;");
            writer.Line("int start = rangeStart + chunk * chunkKeys;");
            writer.Line("AccumulateRange<TPath>(ref queryVector, ref keyStart, ref valueStart, start, start + Math.Min(chunkKeys, rangeEnd - start), scores, accumulator, ref runningMax, ref runningSum);");
            writer.Line("state[HeadDimension] = runningMax;");
            writer.Line("state[HeadDimension + 1] = runningSum;");
            writer.Close();
            writer.Close();
            writer.Close();
        }

        /// <summary>Declares a row's key range: a call of RowRange, or the whole key set when the spec masks nothing.</summary>
        private static void WriteRangeCall(CodeWriter writer, MaskSpec mask, string row, string start, string end, string visibleEnd, string globalRow)
        {
            if (mask.MasksNothing)
            {
                writer.Line("// No mask: every key is visible.");
                writer.Line($"{start} = 0;");
                writer.Line($"{end} = keyCount;");
                return;
            }

            string extra = mask.HasGlobals ? $", out {visibleEnd}, out {globalRow}" : string.Empty;
            writer.Line($"RowRange({row} + (keyCount - queryCount), keyCount, out {start}, out {end}{extra});");
        }

        /// <summary>
        /// packStart and packEnd: the keys the grouped rows' tiles can score, widened to whole 16-key blocks and clipped to
        /// Nk. A windowed call packs only its band of keys, never the whole cache.
        /// </summary>
        private static void WritePackedRange(CodeWriter writer, MaskSpec mask)
        {
            if (mask.MasksNothing)
            {
                writer.Line("// No mask: every row scans every key, so all of them are packed.");
                writer.Line("int packStart = 0, packEnd = keyCount;");
                return;
            }

            writer.Line("// Only the keys some grouped row scans are packed: the union of their ranges, in whole 16-key blocks.");
            writer.Line("int packStart = keyCount, packEnd = 0;");
            writer.Open("for (int row = 0; row < groupedRows; row++)");
            WriteRangeCall(writer, mask, "row", "int rangeStart", "int rangeEnd", "int _", "bool _");
            writer.Open("if (rangeStart < rangeEnd)");
            writer.Line("packStart = Math.Min(packStart, rangeStart);");
            writer.Line("packEnd = Math.Max(packEnd, rangeEnd);");
            writer.Close();
            writer.Close();
            writer.Line();
            writer.Line("packStart = packStart < packEnd ? packStart / 16 * 16 : 0;");
            writer.Line("packEnd = Math.Max(packStart, (int)Math.Min(keyCount, ((long)packEnd + 15) / 16 * 16));");
        }

        /// <summary>The key range of one query row, from its position; the only place the mask's geometry is written.</summary>
        private static void WriteRowRange(CodeWriter writer, MaskSpec mask)
        {
            writer.Line("/// <summary>");
            writer.Line("/// The contiguous keys [rangeStart, rangeEnd) visible to the query at key position <paramref name=\"position\"/> (p = i + Nk - Nq,");
            writer.Line("/// bottom-right alignment). 0 &lt;= rangeStart &lt;= rangeEnd &lt;= Nk.");
            if (mask.HasGlobals)
            {
                writer.Line("/// Global keys outside the range are visible too when below <c>visibleEnd</c>; a global row's range is every visible key.");
            }

            writer.Line("/// </summary>");
            writer.Line("[MethodImpl(MethodImplOptions.AggressiveInlining)]");
            writer.Open(mask.HasGlobals
                ? "private static void RowRange(int position, int keyCount, out int rangeStart, out int rangeEnd, out int visibleEnd, out bool globalRow)"
                : "private static void RowRange(int position, int keyCount, out int rangeStart, out int rangeEnd)");
            if (!mask.HasWindow)
            {
                writer.Line("// Causal: keys 0 .. p; a row with p < 0 sees nothing (only when Nq > Nk).");
                writer.Line("rangeStart = 0;");
                writer.Line("rangeEnd = Math.Max(0, position + 1);");
                writer.Close();
                return;
            }

            string visible = mask.HasGlobals ? "visibleEnd" : "int visibleEnd";
            writer.Line(mask.Causal
                ? $"{visible} = Math.Max(0, position + 1); // causal: keys after p are hidden"
                : $"{visible} = keyCount;");
            writer.Line("// Sliding window [p - WindowLeft, p + WindowRight], clipped (long arithmetic: no overflow for any p or window).");
            writer.Line("rangeStart = (int)Math.Clamp((long)position - WindowLeft, 0L, visibleEnd);");
            writer.Line("rangeEnd = (int)Math.Clamp((long)position + WindowRight + 1, rangeStart, visibleEnd);");
            if (mask.HasGlobals)
            {
                writer.Line();
                writer.Line("// A global row sees every visible key.");
                writer.Line("globalRow = position >= 0 && GlobalPositions.BinarySearch(position) >= 0;");
                writer.Open("if (globalRow)");
                writer.Line("rangeStart = 0;");
                writer.Line("rangeEnd = visibleEnd;");
                writer.Close();
            }

            writer.Close();
        }

        /// <summary>
        /// Groups of rows through the tiled micro-kernel. Per group: each row's range; their union is walked in tiles of
        /// KeyBlock keys made of 16-key packed blocks. A block inside every row's range is scored with no mask code, a block
        /// outside every range is never touched, and only the blocks in between are masked, with vector compares.
        /// </summary>
        private static void WriteRowGroups(CodeWriter writer, KernelPlan plan)
        {
            MaskSpec mask = plan.Spec.Mask;
            writer.Line("/// <summary>The row groups of one path, as the runtime's thread scheduler calls them.</summary>");
            writer.Line("private readonly struct RowGroups<TPath> : global::KernelGen.IRowRangeKernel");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("public static void Run(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,");
            writer.Line("    ReadOnlySpan<float> packedKeys, int packedFirstKey, int queryCount, int keyCount, int rowStart, int rowEnd) =>");
            writer.Line("    RunRowGroups<TPath>(query, key, value, output, logSumExp, packedKeys, packedFirstKey, queryCount, keyCount, rowStart, rowEnd);");
            writer.Close();
            writer.Line();
            writer.Line("/// <summary>Rows [rowStart, rowEnd), whole groups of TPath.RowTile, through the tiled micro-kernel.</summary>");
            writer.Line("private static void RunRowGroups<TPath>(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,");
            writer.Line("    ReadOnlySpan<float> packedKeys, int packedFirstKey, int queryCount, int keyCount, int rowStart, int rowEnd)");
            writer.Line("    where TPath : struct, IHeadDimensionPath");
            writer.Open();
            writer.Line("ref float packedStart = ref MemoryMarshal.GetReference(packedKeys);");
            writer.Line("ref float queryStart = ref MemoryMarshal.GetReference(query);");
            writer.Line("Span<float> scores = stackalloc float[MaxRowTile * KeyBlock];");
            writer.Line("Span<float> accumulators = stackalloc float[MaxRowTile * HeadDimension];");
            writer.Line("Span<float> runningMax = stackalloc float[MaxRowTile];");
            writer.Line("Span<float> runningSum = stackalloc float[MaxRowTile];");
            writer.Line("Span<float> corrections = stackalloc float[MaxRowTile];");
            writer.Line("Span<int> rangeStarts = stackalloc int[MaxRowTile];");
            writer.Line("Span<int> rangeEnds = stackalloc int[MaxRowTile];");
            if (mask.HasGlobals)
            {
                writer.Line("Span<int> visibleEnds = stackalloc int[MaxRowTile];");
                writer.Line("Span<float> rowScores = stackalloc float[KeyBlock];");
                writer.Line("Span<int> keyIndices = stackalloc int[KeyBlock];");
                writer.Line("ref float keyStart = ref MemoryMarshal.GetReference(key);");
                writer.Line("ref float valueStart = ref MemoryMarshal.GetReference(value);");
            }

            writer.Line("int rows = TPath.RowTile;");
            writer.Line();
            writer.Open("for (int firstRow = rowStart; firstRow < rowEnd; firstRow += rows)");
            writer.Line("// Each row's range; the group walks their union and needs no mask where all of them agree.");
            writer.Line("int unionStart = keyCount, unionEnd = 0, commonStart = 0, commonEnd = keyCount;");
            writer.Open("for (int row = 0; row < rows; row++)");
            WriteRangeCall(writer, mask, "firstRow + row", "rangeStarts[row]", "rangeEnds[row]", "visibleEnds[row]", "bool _");
            writer.Open("if (rangeStarts[row] < rangeEnds[row])");
            writer.Line("unionStart = Math.Min(unionStart, rangeStarts[row]);");
            writer.Line("unionEnd = Math.Max(unionEnd, rangeEnds[row]);");
            writer.Close();
            writer.Line();
            writer.Line("commonStart = Math.Max(commonStart, rangeStarts[row]);");
            writer.Line("commonEnd = Math.Min(commonEnd, rangeEnds[row]);");
            writer.Line("runningMax[row] = float.NegativeInfinity;");
            writer.Line("runningSum[row] = 0f;");
            writer.Close();
            writer.Line();
            writer.Line("accumulators.Slice(0, rows * HeadDimension).Clear();");
            writer.Line("ref float queryRows = ref Unsafe.Add(ref queryStart, firstRow * HeadDimension);");
            writer.Line();
            writer.Line("// The scanned keys: the union widened to whole 16-key blocks, clipped to Nk.");
            writer.Line("int scanStart = unionStart < unionEnd ? unionStart / 16 * 16 : 0;");
            writer.Line("int scanEnd = unionStart < unionEnd ? (int)Math.Min(keyCount, ((long)unionEnd + 15) / 16 * 16) : 0;");
            writer.Line("// Steps of tileKeys, never past scanEnd, so no index passes int.MaxValue however long the key span.");
            writer.Open("for (int tileStart = scanStart, tileKeys; tileStart < scanEnd; tileStart += tileKeys)");
            writer.Line("tileKeys = Math.Min(KeyBlock, scanEnd - tileStart);");
            writer.Line("bool tileMasked = false;");
            writer.Open("for (int blockOffset = 0; blockOffset < tileKeys; blockOffset += 16)");
            writer.Line("int blockStart = tileStart + blockOffset;");
            writer.Line("bool inEveryRange = blockStart >= commonStart && blockStart <= commonEnd - 16;");
            if (mask.HasGlobals)
            {
                writer.Line("int globalLanes = GlobalLanes(blockStart);");
                writer.Line("bool outsideEveryRange = globalLanes == 0 && OutsideEveryRange(blockStart, rangeStarts.Slice(0, rows), rangeEnds.Slice(0, rows));");
            }
            else
            {
                writer.Line("bool outsideEveryRange = OutsideEveryRange(blockStart, rangeStarts.Slice(0, rows), rangeEnds.Slice(0, rows));");
            }

            writer.Line("tileMasked |= !inEveryRange;");
            writer.Open("if (outsideEveryRange)");
            writer.Line("// Empty block: never scored; its lanes carry no weight.");
            writer.Open("for (int row = 0; row < rows; row++)");
            writer.Line("scores.Slice(row * KeyBlock + blockOffset, 16).Fill(float.NegativeInfinity);");
            writer.Close();
            writer.Line();
            writer.Line("continue;");
            writer.Close();
            writer.Line();
            writer.Line("// Scores for rows x 16 keys from the packed block.");
            writer.Line("TPath.ScoreTile(ref queryRows, ref Unsafe.Add(ref packedStart, (blockStart - packedFirstKey) * HeadDimension), scores.Slice(blockOffset));");
            writer.Open("if (!inEveryRange)");
            writer.Line("// Partial block: lanes outside a row's range become -inf (vector compares).");
            writer.Open("for (int row = 0; row < rows; row++)");
            writer.Line(mask.HasGlobals
                ? "global::KernelGen.TileMask.Apply(scores.Slice(row * KeyBlock + blockOffset, 16), blockStart, rangeStarts[row], rangeEnds[row], globalLanes, visibleEnds[row]);"
                : "global::KernelGen.TileMask.Apply(scores.Slice(row * KeyBlock + blockOffset, 16), blockStart, rangeStarts[row], rangeEnds[row]);");
            writer.Close();
            writer.Close();
            writer.Close();
            writer.Line();
            writer.Line("// Softmax update per row over the tile, then acc = correction * acc + P V for all rows at once.");
            writer.Open("for (int row = 0; row < rows; row++)");
            writer.Line("corrections[row] = global::KernelGen.OnlineSoftmax.Update(scores.Slice(row * KeyBlock, tileKeys), ref runningMax[row], ref runningSum[row]);");
            writer.Close();
            writer.Line();
            writer.Line("ReadOnlySpan<float> tileValues = value.Slice(tileStart * HeadDimension, tileKeys * HeadDimension);");
            writer.Open("if (tileMasked && !global::KernelGen.Reductions.AllFinite(tileValues))");
            writer.Line("// Masked lanes weigh 0, but 0 * NaN and 0 * inf are NaN: skip them so a masked key's value never reaches the output.");
            writer.Line("global::KernelGen.OnlineSoftmax.AccumulateNonZero(accumulators, corrections, scores, KeyBlock, tileValues, rows, HeadDimension);");
            writer.Close();
            writer.Open("else");
            writer.Line("TPath.AccumulateTile(accumulators, corrections, scores, ref MemoryMarshal.GetReference(tileValues), tileKeys);");
            writer.Close();
            writer.Close();
            if (mask.HasGlobals)
            {
                writer.Line();
                writer.Line("// Global keys outside the scanned keys, row by row (a global row's range already covers all it sees).");
                writer.Open("for (int row = 0; row < rows; row++)");
                writer.Line("ref float queryVector = ref Unsafe.Add(ref queryRows, row * HeadDimension);");
                writer.Line("Span<float> rowAccumulator = accumulators.Slice(row * HeadDimension, HeadDimension);");
                writer.Line("AccumulateGlobalKeys<TPath>(0, Math.Min(scanStart, visibleEnds[row]), ref queryVector, ref keyStart, ref valueStart, rowScores, keyIndices, rowAccumulator, ref runningMax[row], ref runningSum[row]);");
                writer.Line("AccumulateGlobalKeys<TPath>(Math.Max(scanEnd, scanStart), visibleEnds[row], ref queryVector, ref keyStart, ref valueStart, rowScores, keyIndices, rowAccumulator, ref runningMax[row], ref runningSum[row]);");
                writer.Close();
            }

            writer.Line();
            writer.Line("// Normalise every row of the group.");
            writer.Open("for (int row = 0; row < rows; row++)");
            writer.Line("global::KernelGen.OnlineSoftmax.Normalize(accumulators.Slice(row * HeadDimension, HeadDimension), runningSum[row], output.Slice((firstRow + row) * HeadDimension, HeadDimension));");
            writer.Open("if (!logSumExp.IsEmpty)");
            writer.Line("logSumExp[firstRow + row] = global::KernelGen.OnlineSoftmax.LogSumExp(runningMax[row], runningSum[row]);");
            writer.Close();
            writer.Close();
            writer.Close();
            writer.Close();
            writer.Line();
            writer.Line("/// <summary>Whether no row's range [start, end) meets the keys [blockStart, blockStart + 16).</summary>");
            writer.Open("private static bool OutsideEveryRange(int blockStart, ReadOnlySpan<int> rangeStarts, ReadOnlySpan<int> rangeEnds)");
            writer.Open("for (int row = 0; row < rangeStarts.Length; row++)");
            writer.Open("if (rangeStarts[row] < rangeEnds[row] && rangeStarts[row] - 16 < blockStart && blockStart < rangeEnds[row])");
            writer.Line("return false;");
            writer.Close();
            writer.Close();
            writer.Line();
            writer.Line("return true;");
            writer.Close();
            if (mask.HasGlobals)
            {
                writer.Line();
                writer.Line("/// <summary>Bit t set when key blockStart + t is a global position.</summary>");
                writer.Open("private static int GlobalLanes(int blockStart)");
                writer.Line("ReadOnlySpan<int> globals = GlobalPositions;");
                writer.Line("int next = globals.BinarySearch(blockStart);");
                writer.Open("if (next < 0)");
                writer.Line("next = ~next;");
                writer.Close();
                writer.Line();
                writer.Line("int lanes = 0;");
                writer.Open("for (; next < globals.Length && globals[next] - blockStart < 16; next++)");
                writer.Line("lanes |= 1 << (globals[next] - blockStart);");
                writer.Close();
                writer.Line();
                writer.Line("return lanes;");
                writer.Close();
            }
        }

        private static void WriteGlobalKeys(CodeWriter writer, bool dynamic)
        {
            writer.Line("/// <summary>Folds the global keys in [from, to) into the row's softmax state, up to KeyBlock keys at a time.</summary>");
            writer.Line("private static void AccumulateGlobalKeys<TPath>(int from, int to, ref float queryVector, ref float keyStart, ref float valueStart,");
            writer.Line(dynamic
                ? "    Span<float> scores, Span<int> keyIndices, Span<float> accumulator, ref float runningMax, ref float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask)"
                : "    Span<float> scores, Span<int> keyIndices, Span<float> accumulator, ref float runningMax, ref float runningSum)");
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
            if (dynamic)
            {
                writer.Open("if (global::KernelGen.DynamicMask.Keeps(keyMask, rowMask, globals[next]))");
                writer.Line("keyIndices[blockLength++] = globals[next]; // dropped or hidden global keys are never read");
                writer.Close();
                writer.Line();
                writer.Line("next++;");
            }
            else
            {
                writer.Line("keyIndices[blockLength++] = globals[next++];");
            }
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
