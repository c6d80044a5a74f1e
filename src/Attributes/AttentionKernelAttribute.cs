using System;

namespace KernelGen
{
    /// <summary>
    /// Marks a <c>partial</c> method whose body KernelGen generates: a fused scaled-dot-product attention kernel
    /// specialised at compile time for one head dimension and one mask spec.
    /// </summary>
    /// <remarks>
    /// <para>The method must be <c>partial</c>, return <c>void</c> and take exactly
    /// <c>(ReadOnlySpan&lt;float&gt; query, ReadOnlySpan&lt;float&gt; key, ReadOnlySpan&lt;float&gt; value, Span&lt;float&gt; output)</c>
    /// (the names are yours). Each span is row-major: query is [Nq, d], key and value are [Nk, d], output is [Nq, d].</para>
    /// <para>The kernel computes, for every query row i, <c>out_i = sum_j softmax_j(scale * q_i . k_j) * v_j</c> over the keys j
    /// that the mask attributes allow (<see cref="CausalMaskAttribute"/>, <see cref="SlidingWindowAttribute"/>,
    /// <see cref="GlobalTokensAttribute"/>). Masked scores count as negative infinity; a row with no allowed key is all zeros.</para>
    /// <para>Query i sits at key position <c>p(i) = i + Nk - Nq</c> (bottom-right alignment, as in FlashAttention 2.1 and later),
    /// so a decode step with Nq = 1 sits at the end of the key cache.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class AttentionKernelAttribute : Attribute
    {
        /// <summary>Declares an attention kernel for head dimension <paramref name="headDimension"/> (1 to 512).</summary>
        /// <param name="headDimension">The length d of every query, key, value and output row.</param>
        public AttentionKernelAttribute(int headDimension)
        {
            HeadDimension = headDimension;
        }

        /// <summary>The head dimension d: the length of every row.</summary>
        public int HeadDimension { get; }

        /// <summary>
        /// The factor applied to every dot product before the softmax. 0 (the default) means <c>1 / sqrt(d)</c>;
        /// any other value must be finite and positive.
        /// </summary>
        public float Scale { get; set; }

        /// <summary>
        /// The number of query heads H of a batched multi-head kernel (1 or more). Setting <see cref="Heads"/>,
        /// <see cref="KeyValueHeads"/> or <see cref="Layout"/> declares a batched kernel: the method then takes
        /// <c>int batch</c> after the four spans, and each span holds B sequences of H (query, output) or
        /// <see cref="KeyValueHeads"/> (key, value) heads in the chosen <see cref="Layout"/>. 0 (the default) means 1.
        /// </summary>
        public int Heads { get; set; }

        /// <summary>
        /// The number of key/value heads (grouped-query attention; 1 is multi-query attention). Must divide
        /// <see cref="Heads"/>: query head h reads key/value head <c>h / (Heads / KeyValueHeads)</c>.
        /// 0 (the default) means the same as <see cref="Heads"/>.
        /// </summary>
        public int KeyValueHeads { get; set; }

        /// <summary>The layout of a batched kernel's spans; <see cref="AttentionLayout.BatchSeqHeadDim"/> by default.</summary>
        public AttentionLayout Layout { get; set; }
    }
}
