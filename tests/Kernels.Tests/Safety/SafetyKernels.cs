// Kernels for the memory-safety tests: the head dimensions the other test kernels do not declare (8, 61, and 1 and 128
// in batched form), the batched kernel whose keyLengths crashed the runtime under mutation (d = 8, two heads), and a
// one-head kernel with a run-time scale and log-sum-exp for the huge-score tests.
using System;

namespace KernelGen.Kernels.Tests.Safety
{
    public static partial class SafetyKernels
    {
        [AttentionKernel(8)]
        [CausalMask]
        public static partial void D8_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(61)]
        [SlidingWindow(20, 5)]
        [GlobalTokens(0, 9)]
        public static partial void D61_WindowGlobals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(8, Heads = 2)]
        public static partial void H2_D8_KeyLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths);

        [AttentionKernel(1, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void H4Kv2_D1_Causal_BothLengths_Lse(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths, Span<float> logSumExp);

        [AttentionKernel(128, Heads = 2, KeyValueHeads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [SlidingWindow(16, 16)]
        public static partial void H2Kv1_D128_Window_Bhsd_KeyMask_Lse(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<bool> keyMask, Span<float> logSumExp);

        [AttentionKernel(61, Heads = 2)]
        [CausalMask]
        public static partial void H2_D61_Causal_Packed(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> sequenceStarts);

        [AttentionKernel(16, Heads = 1)]
        public static partial void H1_D16_Full_Scale_Lse(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            Span<float> logSumExp, float scale);
    }
}
