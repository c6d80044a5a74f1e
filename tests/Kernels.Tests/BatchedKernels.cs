// Batched multi-head kernels: every (Heads, KeyValueHeads) pair the tests cover, both layouts, and each subset of the
// run-time length parameters, over a spread of masks. BatchedTests reads the attributes back by reflection.
using System;

namespace KernelGen.Kernels.Tests
{
    public static partial class BatchedKernels
    {
        [AttentionKernel(16, Heads = 1)]
        public static partial void H1Kv1_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(64, Heads = 4, KeyValueHeads = 1)]
        [CausalMask]
        public static partial void H4Kv1_Causal_KeyLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths);

        [AttentionKernel(16, Heads = 4, KeyValueHeads = 2, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void H4Kv2_Causal_Bhsd_BothLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);

        [AttentionKernel(16, Heads = 4)]
        [SlidingWindow(100, 30)]
        [GlobalTokens(0, 5, 64)]
        public static partial void H4Kv4_WindowGlobals_QueryLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> queryLengths);

        [AttentionKernel(32, Heads = 8, KeyValueHeads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        [SlidingWindow(70, 0)]
        [GlobalTokens(0, 1)]
        public static partial void H8Kv1_CausalWindowGlobals_Bhsd_KeyLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths);

        [AttentionKernel(16, Heads = 8, KeyValueHeads = 2)]
        [CausalMask]
        [SlidingWindow(16, 0)]
        public static partial void H8Kv2_CausalWindow_BothLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);

        [AttentionKernel(80, Heads = 8, KeyValueHeads = 4, Layout = AttentionLayout.BatchHeadSeqDim)]
        public static partial void H8Kv4_Full_Bhsd(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(3, Heads = 8, KeyValueHeads = 8)]
        [SlidingWindow(3, 7)]
        public static partial void H8Kv8_Window_KeyLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths);

        [AttentionKernel(64, Heads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void H1Kv1_Causal_Bhsd_QueryLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> queryLengths);

        [AttentionKernel(128, Heads = 4, KeyValueHeads = 4, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        [SlidingWindow(256, 0)]
        [GlobalTokens(0, 1, 2, 3)]
        public static partial void H4Kv4_Sinks_Bhsd_KeyLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths);

        [AttentionKernel(16, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void H4Kv2_Causal_Packed(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> sequenceStarts);

        [AttentionKernel(64, Heads = 2)]
        [SlidingWindow(70, 10)]
        [GlobalTokens(0, 3)]
        public static partial void H2Kv2_WindowGlobals_Packed(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            Span<float> logSumExp, ReadOnlySpan<int> sequenceStarts);

        // The same spec one sequence at a time (the packed test compares the two).
        [AttentionKernel(16, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void H4Kv2_Causal_One(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(16, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void H4Kv2_Causal_BothLengths_Lse(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths, Span<float> logSumExp);

        [AttentionKernel(64, Heads = 2, KeyValueHeads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        [SlidingWindow(80, 0)]
        [GlobalTokens(0, 1)]
        public static partial void H2Kv1_CausalWindowGlobals_Bhsd_Lse(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, Span<float> logSumExp);

        // Full attention with log-sum-exp: the split-cache merge test runs it on two halves of the keys.
        [AttentionKernel(32, Heads = 1)]
        public static partial void H1Kv1_Full_Lse(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            Span<float> logSumExp);

        // Run-time masks: a dynamic token mask with padding and log-sum-exp; a dense mask with a window, globals and
        // query padding; and a dense mask alone, given per item ([B, Nq, Nk]) or shared ([Nq, Nk]).
        [AttentionKernel(16, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void H4Kv2_Causal_KeyLengths_KeyMask_Lse(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<bool> keyMask, Span<float> logSumExp);

        [AttentionKernel(64, Heads = 2, Layout = AttentionLayout.BatchHeadSeqDim)]
        [SlidingWindow(20, 5)]
        [GlobalTokens(0, 9)]
        public static partial void H2Kv2_WindowGlobals_Bhsd_QueryLengths_KeyMask_Mask(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output,
            int batch, ReadOnlySpan<int> queryLengths, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask);

        [AttentionKernel(32, Heads = 1)]
        [CausalMask]
        public static partial void H1Kv1_Causal_KeyMask_Mask_Lse(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, Span<float> logSumExp);

        [AttentionKernel(3, Heads = 4, KeyValueHeads = 4)]
        public static partial void H4Kv4_Full_Mask(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<bool> mask);
    }
}
