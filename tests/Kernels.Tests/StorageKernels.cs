// 16-bit caches (issue 14, first piece): single-head kernels whose key and value (and query or output) are System.Half
// or KernelGen.BFloat16. StorageTests checks them against the reference on the widened inputs.
using System;

namespace KernelGen.Kernels.Tests
{
    public static partial class StorageKernels
    {
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void HalfCache_Causal128(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output);

        [AttentionKernel(64)]
        [CausalMask]
        [SlidingWindow(40, 0)]
        [GlobalTokens(0, 3)]
        public static partial void BFloat16All_CausalWindowGlobals64(ReadOnlySpan<BFloat16> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value,
            Span<BFloat16> output);

        [AttentionKernel(37)]
        [Softcap(2f)]
        public static partial void HalfAll_SoftcapScale37(ReadOnlySpan<Half> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<Half> output, float scale);
    }
}
