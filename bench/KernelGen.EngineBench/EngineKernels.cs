using System;

namespace KernelGen.EngineBench
{
    /// <summary>The kernels measured: the peer table's masks at d = 64 and 128, and batched calls with and without run-time masks.</summary>
    public static partial class EngineKernels
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

        [AttentionKernel(64, Heads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BatchedCausal64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);

        [AttentionKernel(64, Heads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BatchedCausalKeyMask64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<bool> keyMask);

        [AttentionKernel(64, Heads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BatchedCausalMask64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<bool> mask);

        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        public static partial void GqaDecode128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);
    }
}
