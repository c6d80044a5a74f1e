using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>One long row split into fixed chunks of keys on the worker threads, merged in chunk order.</summary>
    internal abstract class LongRowChunks<TPath, TMask, TScore> : EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>
        /// One row over keys [rangeStart, rangeEnd) in chunks of AttentionThreading.ChunkKeys, computed on up to
        /// MaxDegreeOfParallelism threads and merged in chunk order (log-sum-exp): the same result on any thread count.
        /// </summary>
        internal static void AccumulateChunks(ReadOnlySpan<float> queryRow, ReadOnlySpan<float> key, ReadOnlySpan<float> value, int rangeStart, int rangeEnd, int row,
            int position, Span<float> accumulator, out float runningMax, out float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, in ScoreState score)
        {
            int chunks = (int)(((long)rangeEnd - rangeStart + AttentionThreading.ChunkKeys - 1) / AttentionThreading.ChunkKeys);
            int length = chunks * (D + 2);
            float[] partials = ArrayPool<float>.Shared.Rent(length);
            try
            {
                AttentionThreading.ForKeyChunks<KeyChunks>(new KeyChunkArguments
                {
                    QueryRow = queryRow,
                    Key = key,
                    Value = value,
                    Partials = partials.AsSpan(0, length),
                    RangeStart = rangeStart,
                    RangeEnd = rangeEnd,
                    ChunkKeys = AttentionThreading.ChunkKeys,
                    Row = row,
                    Position = position,
                    KeyMask = keyMask,
                    RowMask = rowMask,
                    Score = score,
                });
                OnlineSoftmax.MergeChunks(partials.AsSpan(0, length), chunks, accumulator, out runningMax, out runningSum);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(partials);
            }
        }

        /// <summary>Chunk states of one long row, as the thread scheduler calls them.</summary>
        internal readonly struct KeyChunks : IKeyChunkKernel
        {
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public static void Run(scoped in KeyChunkArguments arguments, int chunkStart, int chunkEnd)
            {
                Span<float> scores = stackalloc float[KeyBlock];
                var rows = new FloatRows<TPath>(arguments.Key, arguments.Value);
                ChunkStates(ref rows, arguments, chunkStart, chunkEnd, scores);
            }
        }

        /// <summary>
        /// Chunk states of one long row over 16-bit rows d apart, as the thread scheduler calls them: the key and value spans
        /// arrive as floats over the same bytes (see <c>StridedRows.AccumulateLongRow</c>) and are read back as
        /// <typeparamref name="TElement"/>; rows past the row's range, and so the bytes the rounding up added, are never read.
        /// </summary>
        internal readonly struct WidenedKeyChunks<TElement> : IKeyChunkKernel
            where TElement : unmanaged
        {
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public static void Run(scoped in KeyChunkArguments arguments, int chunkStart, int chunkEnd)
            {
                Span<float> scores = stackalloc float[KeyBlock];
                float[] scratch = ArrayPool<float>.Shared.Rent(2 * KeyBlock * D);
                try
                {
                    var rows = new StridedRows<TPath, TElement>(Restore(arguments.Key), Restore(arguments.Value), D, scratch.AsSpan(0, KeyBlock * D),
                        scratch.AsSpan(KeyBlock * D, KeyBlock * D));
                    ChunkStates(ref rows, arguments, chunkStart, chunkEnd, scores);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(scratch);
                }
            }

            private static ReadOnlySpan<TElement> Restore(ReadOnlySpan<float> span) =>
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<float, TElement>(ref MemoryMarshal.GetReference(span)),
                    (int)Math.Min(int.MaxValue, (long)span.Length * 4 / Unsafe.SizeOf<TElement>())); // a full-length 16-bit span rounds up past int.MaxValue
        }

        /// <summary>
        /// The states of chunks [chunkStart, chunkEnd) of one row's keys (see <see cref="KeyChunkArguments"/>), the key and
        /// value rows read through <paramref name="rows"/>: chunk c at Partials[c * (d + 2)]: the accumulator (d floats),
        /// then the chunk's max, then its sum.
        /// </summary>
        internal static void ChunkStates<TRows>(ref TRows rows, scoped in KeyChunkArguments arguments, int chunkStart, int chunkEnd, scoped Span<float> scores)
            where TRows : IKeyValueRows, allows ref struct
        {
            ref float queryVector = ref MemoryMarshal.GetReference(arguments.QueryRow);
            Span<float> partials = arguments.Partials;
            int rangeStart = arguments.RangeStart, rangeEnd = arguments.RangeEnd, chunkKeys = arguments.ChunkKeys;
            for (int chunk = chunkStart; chunk < chunkEnd; chunk++)
            {
                Span<float> state = partials.Slice(chunk * (D + 2), D + 2);
                Span<float> accumulator = state.Slice(0, D);
                accumulator.Clear();
                float runningMax = float.NegativeInfinity;
                float runningSum = 0f;
                int start = rangeStart + chunk * chunkKeys;
                RowLoop<TPath, TMask, TScore>.AccumulateRange(ref queryVector, ref rows, start, start + Math.Min(chunkKeys, rangeEnd - start), arguments.Row, arguments.Position,
                    scores, accumulator, ref runningMax, ref runningSum, arguments.KeyMask, arguments.RowMask, arguments.Score);
                state[D] = runningMax;
                state[D + 1] = runningSum;
            }
        }
    }
}
