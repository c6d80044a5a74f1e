using System;
using KernelGen;

namespace KernelGen.Samples
{
    /// <summary>The attention specs of three real model families, declared once and generated at compile time.</summary>
    public static partial class ModelKernels
    {
        /// <summary>Longformer-style encoder: 16 tokens either side, plus global tokens (CLS at 0 and a few question tokens).</summary>
        [AttentionKernel(64)]
        [SlidingWindow(16, 16)]
        [GlobalTokens(0, 1, 2, 3, 4, 5, 6, 7)]
        public static partial void LongformerEncoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>Causal decoder (GPT/Llama style), head dimension 128: prefill over a prompt.</summary>
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void CausalDecoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>Mistral-style sliding-window decoder: causal with a 4096-token window, also used for single-token decode steps.</summary>
        [AttentionKernel(128)]
        [CausalMask]
        [SlidingWindow(4096, 0)]
        public static partial void MistralDecoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);
    }
}
