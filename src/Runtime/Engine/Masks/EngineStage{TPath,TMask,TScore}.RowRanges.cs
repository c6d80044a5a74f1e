using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    // The mask per row and per block: each query row's key range, the packed band, run-time mask bits and global lanes.
    internal abstract partial class EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>
        /// Query row <paramref name="queryRow"/>'s key range (see <see cref="MaskGeometry.RowRange"/>), in the keys the
        /// loops walk: with a <paramref name="keyPrefix"/> the geometry is that of the original keys and the bounds are
        /// mapped to the kept ones.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void RowRange(int queryRow, int queryCount, int keyCount, ReadOnlySpan<int> keyPrefix,
            out int rangeStart, out int rangeEnd, out int visibleEnd, out bool globalRow)
        {
            int geometryKeys = TMask.HasRuntimeMasks && !keyPrefix.IsEmpty ? keyPrefix.Length - 1 : keyCount;
            if (MasksNothing)
            {
                rangeStart = 0;
                rangeEnd = visibleEnd = keyCount;
                globalRow = false;
                return;
            }

            long position = (long)queryRow + geometryKeys - queryCount;
            globalRow = HasGlobals && position >= 0 && position <= int.MaxValue && TMask.GlobalPositions.BinarySearch((int)position) >= 0;
            MaskGeometry.RowRange(position, geometryKeys, TMask.Causal, TMask.HasWindow, TMask.WindowLeft, TMask.WindowRight, globalRow,
                out rangeStart, out rangeEnd, out visibleEnd);
            if (TMask.HasRuntimeMasks && !keyPrefix.IsEmpty)
            {
                rangeStart = keyPrefix[rangeStart];
                rangeEnd = keyPrefix[rangeEnd];
                visibleEnd = keyPrefix[visibleEnd];
            }
        }

        /// <summary>Query row <paramref name="queryRow"/>'s key position p(i) = i + Nk - Nq over the original keys.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static int Position(int queryRow, int queryCount, int keyCount, ReadOnlySpan<int> keyPrefix) =>
            (int)Math.Clamp((long)queryRow + (TMask.HasRuntimeMasks && !keyPrefix.IsEmpty ? keyPrefix.Length - 1 : keyCount) - queryCount, int.MinValue, int.MaxValue);

        /// <summary>
        /// The keys the grouped rows' tiles can score, widened to whole 16-key blocks and clipped to Nk: a windowed call
        /// packs only its band of keys, never the whole cache.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void PackedBand(int queryCount, int keyCount, int groupedRows, ReadOnlySpan<int> keyPrefix, out int packStart, out int packEnd)
        {
            if (MasksNothing)
            {
                packStart = 0;
                packEnd = keyCount;
                return;
            }

            packStart = keyCount;
            packEnd = 0;
            for (int row = 0; row < groupedRows; row++)
            {
                RowRange(row, queryCount, keyCount, keyPrefix, out int rangeStart, out int rangeEnd, out _, out _);
                if (rangeStart < rangeEnd)
                {
                    packStart = Math.Min(packStart, rangeStart);
                    packEnd = Math.Max(packEnd, rangeEnd);
                }
            }

            packStart = packStart < packEnd ? packStart / PackedBlockKeys * PackedBlockKeys : 0;
            packEnd = Math.Max(packStart, (int)Math.Min(keyCount, ((long)packEnd + PackedBlockKeys - 1) / PackedBlockKeys * PackedBlockKeys));
        }

        /// <summary>
        /// Narrows a row's contiguous range to the span between the first and the last key its dense mask row keeps (one
        /// vectorised scan each way; a flag counts by truthiness), so runs of hidden keys at either end, such as the
        /// other documents of a block-diagonal mask, are never walked. Global keys outside the range are judged by the
        /// mask as before.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void TightenToMask(ReadOnlySpan<bool> rowMask, ref int rangeStart, ref int rangeEnd)
        {
            ReadOnlySpan<bool> flags = rowMask.Slice(rangeStart, rangeEnd - rangeStart);
            int first = flags.IndexOfAnyExcept(false);
            // The last kept key is sought after the first, so the range cannot come out reversed if the caller's mask
            // changes between the two scans (it is read as values, never trusted for bounds).
            int last = first < 0 ? -1 : flags.Slice(first).LastIndexOfAnyExcept(false);
            if (last < 0)
            {
                rangeEnd = rangeStart; // the mask hides every key of the range
                return;
            }

            rangeEnd = rangeStart + first + last + 1;
            rangeStart += first;
        }

        /// <summary>
        /// The run-time masks' lanes for a block of <paramref name="lanes"/> keys (bit t: key blockStart + t kept) per
        /// row: keyMask's lanes AND the row's mask lanes. <paramref name="full"/>: every row keeps all 16;
        /// <paramref name="empty"/>: no row keeps any.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void RuntimeBits(ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, int firstRow, int rows, int blockStart, int lanes,
            Span<int> rowBits, out bool full, out bool empty)
        {
            const int AllLanes = (1 << PackedBlockKeys) - 1;
            int keyBits = keyMask.IsEmpty ? AllLanes : RuntimeMaskBits.Bits(keyMask.Slice(blockStart, lanes));
            full = keyBits == AllLanes;
            empty = keyBits == 0;
            if (mask.IsEmpty || empty)
            {
                rowBits.Slice(0, rows).Fill(keyBits);
                return;
            }

            int any = 0;
            for (int row = 0; row < rows; row++)
            {
                int bits = keyBits & RuntimeMaskBits.Bits(mask.Slice((firstRow + row) * maskStride + blockStart, lanes));
                rowBits[row] = bits;
                any |= bits;
                full &= bits == AllLanes;
            }

            empty = any == 0;
        }

        /// <summary>Whether no row's range [start, end) meets the keys [blockStart, blockStart + 16).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static bool OutsideEveryRange(int blockStart, ReadOnlySpan<int> rangeStarts, ReadOnlySpan<int> rangeEnds)
        {
            for (int row = 0; row < rangeStarts.Length; row++)
            {
                if (rangeStarts[row] < rangeEnds[row] && rangeStarts[row] - PackedBlockKeys < blockStart && blockStart < rangeEnds[row])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Bit t set when key blockStart + t is a global position.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static int GlobalLanes(int blockStart)
        {
            ReadOnlySpan<int> globals = TMask.GlobalPositions;
            int next = globals.BinarySearch(blockStart);
            if (next < 0)
            {
                next = ~next;
            }

            int lanes = 0;
            for (; next < globals.Length && globals[next] - blockStart < PackedBlockKeys; next++)
            {
                lanes |= 1 << (globals[next] - blockStart);
            }

            return lanes;
        }
    }
}
