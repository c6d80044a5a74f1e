using System;

namespace KernelGen
{
    /// <summary>
    /// Implemented by generated kernels: one head of one sequence, query [Nq, d] against key and value [Nk, d], rows
    /// contiguous, lengths already validated by the caller. <see cref="BatchedAttention"/> calls it once per
    /// (batch item, head) with the valid rows only.
    /// </summary>
    public interface ISingleHeadKernel
    {
        /// <summary>
        /// Computes output [Nq, d] with Nq = query.Length / d and Nk = key.Length / d, and each row's log-sum-exp into
        /// <paramref name="logSumExp"/> ([Nq]) unless it is empty. A kernel with run-time masks also applies
        /// <paramref name="keyMask"/> ([Nk], false = dropped) and <paramref name="mask"/> (row i at i * maskStride, [Nk]);
        /// either may be empty. <paramref name="scores"/> holds the head's run-time score inputs (scale, ALiBi slope, bias
        /// rows, sink); a kernel uses the ones it declares.
        /// </summary>
        static abstract void Run(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride, ScoreArguments scores);
    }
}
