// 16-bit batched kernels (issue 14): Half and BFloat16 queries, keys, values and outputs on batched, grouped-query and
// packed kernels in both layouts, with every mask part, run-time masks and score modifiers. BatchedStorageTests runs
// them against the reference on the widened inputs.
using System;

namespace KernelGen.Kernels.Tests
{
    public static partial class BatchedStorageKernels
    {
        // An f16 cache in [B, N, H, d] (strided rows), 8 query heads over 2 key/value heads, float query and output.
        [AttentionKernel(64, Heads = 8, KeyValueHeads = 2)]
        [CausalMask]
        [SlidingWindow(40, 0)]
        [GlobalTokens(0, 3)]
        public static partial void HalfCache_Gqa8x2_CausalWindowGlobals(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output,
            int batch, ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths, Span<float> logSumExp);

        // Everything bf16 in [B, H, N, d], 4 query heads over one key/value head, run-time masks and sinks.
        [AttentionKernel(48, Heads = 4, KeyValueHeads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BFloat16All_Gqa4x1_Bhsd_Masks_Sinks(ReadOnlySpan<BFloat16> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value,
            Span<BFloat16> output, int batch, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, Span<float> logSumExp, ReadOnlySpan<float> sinks);

        // Everything f16, packed sequences, ALiBi, 4 query heads over 2.
        [AttentionKernel(32, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        [Alibi]
        public static partial void HalfAll_Gqa4x2_Packed_Alibi(ReadOnlySpan<Half> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<Half> output, int batch,
            ReadOnlySpan<int> sequenceStarts);

        // A bf16 cache, float query, f16 output, [B, N, H, d] with one query head per key/value head (no group), d = 80,
        // softcap and a [B, H, Nq, Nk] bias.
        [AttentionKernel(80, Heads = 2, KeyValueHeads = 2)]
        [Softcap(4f)]
        public static partial void BFloat16Cache_HalfOutput_Bias_Softcap(ReadOnlySpan<float> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value,
            Span<Half> output, int batch, ReadOnlySpan<int> keyLengths, ReadOnlySpan<float> bias);

        // The grouped decode tiles' split loads. d = 61, f16, [B, H, N, d], 8 query heads over 2: 4-row tiles, scores with
        // 48 split columns, 8 in order and 5 scalar, values widened into a block (d is not a multiple of 16). d = 64, bf16,
        // [B, N, H, d], 16 over 2: two 4-row tiles per key/value head, scores and values read in place, split. d = 64, f16,
        // [B, N, H, d], 8 over 2: values read in place, split, with the 2^112 folded into the weights.
        [AttentionKernel(61, Heads = 8, KeyValueHeads = 2, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void HalfCache_Gqa8x2_Bhsd_D61(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output, int batch);

        [AttentionKernel(64, Heads = 16, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void BFloat16Cache_Gqa16x2_D64(ReadOnlySpan<float> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value, Span<float> output, int batch);

        [AttentionKernel(64, Heads = 8, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void HalfCache_Gqa8x2_D64(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output, int batch);

        // The in-place value tile over every kind of row: float32 in both layouts ([B, N, H, d] rows read through their
        // stride, [B, H, N, d] rows d apart) and a bf16 cache, each d = 64, 8 query heads over 2, beside HalfCache_Gqa8x2_D64.
        [AttentionKernel(64, Heads = 8, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void Float_Gqa8x2_D64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(64, Heads = 8, KeyValueHeads = 2, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void Float_Gqa8x2_Bhsd_D64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(64, Heads = 8, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void BFloat16Cache_Gqa8x2_D64(ReadOnlySpan<float> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value, Span<float> output, int batch);

        // An odd GQA group (3 query heads per key/value head) over an f16 cache in [B, N, H, d]: the per-head decode path that
        // widens each shared 512-key chunk once (d = 32), causal, no window, so a decode row spans many chunks.
        [AttentionKernel(32, Heads = 6, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void HalfCache_Gqa6x2_Causal(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths);
    }
}
