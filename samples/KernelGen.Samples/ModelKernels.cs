using System;
using KernelGen;

namespace KernelGen.Samples
{
    /// <summary>The attention specs of real model families, declared once and generated at compile time.</summary>
    public static partial class ModelKernels
    {
        /// <summary>
        /// Longformer-style question answering: 16 tokens either side, plus global attention for the classification token
        /// (position 0) and a 15-token question (positions 1 to 15), which see and are seen by the whole document.
        /// </summary>
        [AttentionKernel(64)]
        [SlidingWindow(16, 16)]
        [GlobalTokens(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)]
        public static partial void LongformerEncoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>Causal decoder (GPT/Llama style), head dimension 128: prefill over a prompt and single-token decode steps.</summary>
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void CausalDecoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>The same causal decoder over an f16 key/value cache (llama.cpp's default cache type); float query and output.</summary>
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void CausalDecoderHalf(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output);

        /// <summary>The same causal decoder over a bf16 key/value cache (PyTorch's usual dtype); float query and output.</summary>
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void CausalDecoderBFloat16(ReadOnlySpan<float> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value, Span<float> output);

        /// <summary>
        /// Llama-style grouped-query decoding (Llama 3 8B's attention shape): 32 query heads over 8 key/value heads of 128,
        /// causal, the cache token-major ([B, N, H, d], as FlashAttention and llama.cpp keep it) and read in place;
        /// keyLengths is each sequence's filled cache length. Float32, f16 and bf16 caches.
        /// </summary>
        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8)]
        [CausalMask]
        public static partial void LlamaDecoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths);

        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8)]
        [CausalMask]
        public static partial void LlamaDecoderHalf(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths);

        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8)]
        [CausalMask]
        public static partial void LlamaDecoderBFloat16(ReadOnlySpan<float> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths);

        /// <summary>Mistral-style sliding-window decoder: causal with a 4096-token window.</summary>
        [AttentionKernel(128)]
        [CausalMask]
        [SlidingWindow(4096, 0)]
        public static partial void MistralDecoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        /// <summary>
        /// BERT-base encoder self-attention over a padded batch: 12 heads of 64, [B, N, H, d], every token sees every valid
        /// token of its own sequence; keyLengths and queryLengths give each sequence's real length.
        /// </summary>
        [AttentionKernel(64, Heads = 12)]
        public static partial void BertEncoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);

        /// <summary>
        /// StreamingLLM-style generation with grouped-query attention: 8 query heads over 2 key/value heads of 64, the cache
        /// per head contiguous ([B, H, N, d]), causal, a 256-token window plus 4 attention-sink tokens at the start.
        /// keyLengths is each sequence's filled cache length; keyMask drops evicted cache entries for the step.
        /// </summary>
        [AttentionKernel(64, Heads = 8, KeyValueHeads = 2, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        [SlidingWindow(256, 0)]
        [GlobalTokens(0, 1, 2, 3)]
        public static partial void StreamingDecoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<bool> keyMask);

        /// <summary>
        /// Gemma 2 (2B) local layer over a padded batch: 8 query heads over 4 key/value heads of 256, causal, the 4096-token
        /// window of the local (alternate) layers (the token itself plus 4095 before it), and attention logits capped at 50
        /// (attn_logit_softcapping). The scale is query_pre_attn_scalar^-1/2 = 256^-1/2, which is the default 1/sqrt(d).
        /// keyLengths and queryLengths give each sequence's real length.
        /// </summary>
        [AttentionKernel(256, Heads = 8, KeyValueHeads = 4)]
        [CausalMask]
        [SlidingWindow(4095, 0)]
        [Softcap(50f)]
        public static partial void Gemma2LocalLayer(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);

        /// <summary>
        /// gpt-oss sliding layer (20b and 120b alike): 64 query heads over 8 key/value heads of 64, causal with the 128-token
        /// window of the alternate layers (the token itself plus 127 before it), scale 1/sqrt(64), and a learned sink logit per
        /// query head that joins every softmax denominator (sinks: [64]). keyLengths is each sequence's filled cache length;
        /// the queries are the last Nq positions of it (bottom-right).
        /// </summary>
        [AttentionKernel(64, Heads = 64, KeyValueHeads = 8)]
        [CausalMask]
        [SlidingWindow(127, 0)]
        public static partial void GptOssSlidingLayer(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<float> sinks);

        /// <summary>
        /// BLOOM (560m) layer over a padded batch: 16 heads of 64 (hidden size 1024), causal, no position embedding but ALiBi
        /// with the standard slopes for 16 heads (2^-0.5, 2^-1, ..., 2^-8). keyLengths and queryLengths give each sequence's
        /// real length.
        /// </summary>
        [AttentionKernel(64, Heads = 16)]
        [CausalMask]
        [Alibi]
        public static partial void BloomLayer(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths);
    }
}
