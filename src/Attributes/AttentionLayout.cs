namespace KernelGen
{
    /// <summary>How a batched multi-head kernel's spans are laid out (see <see cref="AttentionKernelAttribute.Layout"/>).</summary>
    public enum AttentionLayout
    {
        /// <summary>
        /// [B, N, H, d]: for each batch item, each position, each head, one row of d. The layout FlashAttention and most
        /// inference engines store (a token's heads side by side). The default.
        /// </summary>
        BatchSeqHeadDim = 0,

        /// <summary>[B, H, N, d]: for each batch item and head, N contiguous rows of d (PyTorch's SDPA layout).</summary>
        BatchHeadSeqDim = 1,
    }
}
