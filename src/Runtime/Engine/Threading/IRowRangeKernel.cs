using System;

namespace KernelGen
{
    /// <summary>
    /// Implemented by the engine's row loops (the tile walk, single rows): computes query rows [rowStart, rowEnd) (whole row groups) from spans that
    /// <see cref="AttentionThreading"/> may hand to several threads at once. Each row is written by exactly one call.
    /// </summary>
    public interface IRowRangeKernel
    {
        /// <summary>
        /// Computes output rows [rowStart, rowEnd) with the keys from <paramref name="packedFirstKey"/> on (a multiple of
        /// 16) already packed into <paramref name="packedKeys"/> (see <see cref="KeyPacking"/>), and each row's
        /// log-sum-exp into <paramref name="logSumExp"/> unless it is empty.
        /// </summary>
        static abstract void Run(
            ReadOnlySpan<float> query,
            ReadOnlySpan<float> key,
            ReadOnlySpan<float> value,
            Span<float> output,
            Span<float> logSumExp,
            ReadOnlySpan<float> packedKeys,
            int packedFirstKey,
            int queryCount,
            int keyCount,
            int rowStart,
            int rowEnd,
            ReadOnlySpan<bool> keyMask,
            ReadOnlySpan<bool> mask,
            int maskStride,
            ReadOnlySpan<int> keyPrefix,
            in Engine.ScoreState score);
    }
}
