using System;

namespace KernelGen
{
    /// <summary>
    /// Implemented by generated kernels: the online-softmax state of one query row over fixed chunks of its key range,
    /// so <see cref="AttentionThreading.ForKeyChunks{TKernel}"/> can spread a long row (a decode step) over threads.
    /// </summary>
    public interface IKeyChunkKernel
    {
        /// <summary>
        /// For chunks [chunkStart, chunkEnd) of the keys [rangeStart, rangeEnd) (chunk c is keys
        /// rangeStart + c * chunkKeys onwards), writes each chunk's state to partials[c * (d + 2) ..]: the unnormalised
        /// accumulator (d floats), then the chunk's max score, then its sum of e^(s - max). <paramref name="row"/> is the query's
        /// row (for a bias) and <paramref name="position"/> its key position.
        /// </summary>
        static abstract void Run(
            ReadOnlySpan<float> queryRow,
            ReadOnlySpan<float> key,
            ReadOnlySpan<float> value,
            Span<float> partials,
            int rangeStart,
            int rangeEnd,
            int chunkKeys,
            int chunkStart,
            int chunkEnd,
            int row,
            int position,
            ReadOnlySpan<bool> keyMask,
            ReadOnlySpan<bool> rowMask,
            in Engine.ScoreState score);
    }
}
