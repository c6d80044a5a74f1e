using System;

namespace KernelGen.Engine
{
    /// <summary>
    /// Where the engine's one-row loops read key and value rows, as float: the caller's float spans in place, or 16-bit
    /// rows scored and accumulated straight from memory, widened in registers (the storage slot of the engine).
    /// </summary>
    internal interface IKeyValueRows
    {
        /// <summary>
        /// Folds a long row's keys [rangeStart, rangeEnd) in fixed chunks of <see cref="AttentionThreading.ChunkKeys"/> on the
        /// worker threads and merges them in order into the row's state; false (nothing done) when these rows leave that to
        /// the caller's float spans.
        /// </summary>
        /// <remarks>Generic over the kernel's mask and score transform, which the chunks' loops need; a call on a struct
        /// type argument, so the JIT binds it directly (no virtual dispatch).</remarks>
        bool AccumulateLongRow<TMask, TScore>(ReadOnlySpan<float> queryRow, int rangeStart, int rangeEnd, int row, int position, scoped Span<float> accumulator,
            out float runningMax, out float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, in ScoreState score)
            where TMask : struct, IAttentionMask
            where TScore : struct, IScoreTransform;

        /// <summary>scores[t] = ScoreScale x dot(query, key row start + t), for every t of <paramref name="scores"/>.</summary>
        void ScoreBlock(ref float queryVector, int start, scoped System.Span<float> scores);

        /// <summary>accumulator = correction x accumulator + sum over t of weights[t] x value row start + t.</summary>
        void AccumulateBlock(scoped System.Span<float> accumulator, float correction, scoped System.ReadOnlySpan<float> weights, int start);

        /// <summary>The first of <paramref name="count"/> value rows from <paramref name="start"/>, d floats each, contiguous.</summary>
        ref float Values(int start, int count);
    }
}
