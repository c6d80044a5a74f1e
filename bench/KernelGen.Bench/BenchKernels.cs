using System;

namespace KernelGen.Bench
{
    /// <summary>The generated kernels under measurement.</summary>
    public static partial class BenchKernels
    {
        [AttentionKernel(64)]
        public static partial void Full64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        public static partial void Full128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [CausalMask]
        public static partial void Causal64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        public static partial void Causal128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [CausalMask]
        [SlidingWindow(256, 0)]
        public static partial void CausalWindow64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        [SlidingWindow(256, 0)]
        public static partial void CausalWindow128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(64)]
        [SlidingWindow(256, 256)]
        [GlobalTokens(0, 1, 2, 3)]
        public static partial void WindowGlobals64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [SlidingWindow(256, 256)]
        [GlobalTokens(0, 1, 2, 3)]
        public static partial void WindowGlobals128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>Batched prefill: 8 heads of 64, [B, H, N, d], causal, per-item lengths (padding).</summary>
        [AttentionKernel(64, Heads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BatchedCausal64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);

        /// <summary>GQA decode: 32 query heads over 8 key/value heads of 128, [B, H, N, d], causal.</summary>
        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void GqaDecode128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);
    }
}
