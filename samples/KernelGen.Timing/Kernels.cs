using System;
using KernelGen;

namespace KernelGen.Timing
{
    /// <summary>
    /// Declare the kernel to time here (any name, any static partial class in this project), then run
    /// <c>dotnet run -c Release --project samples/KernelGen.Timing -- YourMethod --nq 1024 --nk 1024</c>. The harness
    /// times kernels whose parameters are the four spans (float, Half or BFloat16), plus <c>int batch</c> when batched.
    /// These are examples; replace or add to them.
    /// </summary>
    public static partial class Kernels
    {
        /// <summary>A causal decoder head of 128 (Llama-style prefill; with --nq 1 a decode step).</summary>
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>Mistral-style: causal with a window of 4096 keys.</summary>
        [AttentionKernel(128)]
        [CausalMask]
        [SlidingWindow(4095, 0)]
        public static partial void SlidingWindow(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>Longformer-style encoder: 256 keys either side, the first 4 tokens global.</summary>
        [AttentionKernel(64)]
        [SlidingWindow(256)]
        [GlobalTokens(0, 1, 2, 3)]
        public static partial void Longformer(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>A decode step over a bf16 key/value cache (time it with --nq 1).</summary>
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void DecodeBFloat16(ReadOnlySpan<float> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value, Span<float> output);

        /// <summary>Grouped-query attention, 32 query heads over 8 key/value heads, batched (--batch sets B).</summary>
        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8)]
        [CausalMask]
        public static partial void Gqa(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);
    }
}
