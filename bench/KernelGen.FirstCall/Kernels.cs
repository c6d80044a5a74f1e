using System;

namespace KernelGen.FirstCall
{
    /// <summary>The kernels whose first calls are measured: the causal prefill, a GQA decode step, a 16-bit cache.</summary>
    public static partial class Kernels
    {
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void Causal128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>GQA decode: 32 query heads over 8 key/value heads of 128, [B, H, N, d], causal.</summary>
        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void GqaDecode128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        /// <summary>A second prefill kernel (another mask struct), for what one more kernel costs once the engine's shared code is compiled.</summary>
        [AttentionKernel(128)]
        [CausalMask]
        [SlidingWindow(256, 0)]
        public static partial void CausalWindow128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>The causal prefill over an f16 key/value cache.</summary>
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void CausalHalf128(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output);
    }
}
