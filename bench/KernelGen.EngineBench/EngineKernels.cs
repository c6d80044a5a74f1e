using System;

namespace KernelGen.EngineBench
{
    /// <summary>
    /// The kernels measured besides KernelGen.Bench's BenchKernels (linked into this project: the peer table's masks, the
    /// padded batch and GQA decode): batched calls with run-time masks.
    /// </summary>
    public static partial class EngineKernels
    {
        [AttentionKernel(64, Heads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BatchedCausalKeyMask64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<bool> keyMask);

        [AttentionKernel(64, Heads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BatchedCausalMask64(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<bool> mask);
    }
}
