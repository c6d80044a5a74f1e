using System;

namespace KernelGen.Engine
{
    /// <summary>
    /// Consecutive key/value heads of one batch item (or packed item) and the query heads that read them (one per key/value
    /// head, or a GQA group each), as the batched driver hands them to a kernel: every span addressed in place through
    /// row strides, whatever the layout (a decode step reads the cache where it lies).
    /// </summary>
    /// <remarks>
    /// Fields, not properties: tier-0 code on a kernel's first call compiles each property accessor as a method of its
    /// own (bench/RESULTS.md, "First call"). Always passed by <c>in</c>.
    /// </remarks>
    /// <remarks>
    /// Query head g's row n is at <c>g x QueryHeadStride + n x QueryRowStride</c> of <see cref="Query"/>, and the same
    /// element of <see cref="Output"/>; it reads key/value head <c>g / (Heads / KeyValueHeads)</c>, whose row j is at
    /// <c>head x KeyHeadStride + j x KeyRowStride</c> of <see cref="Key"/> and <see cref="Value"/>; log-sum-exp of head g's
    /// row n is at <c>g x LogSumExpHeadStride + n</c>. Every row holds d = the kernel's head dimension elements. Several
    /// key/value heads come in one call when their rows interleave ([B, N, H, d]): a decode step then walks each token's
    /// heads together, through memory in order.
    /// </remarks>
    /// <typeparam name="TQuery">The query's element type: float, <see cref="Half"/> or <see cref="BFloat16"/>.</typeparam>
    /// <typeparam name="TKeyValue">The keys' and values' element type.</typeparam>
    /// <typeparam name="TOutput">The output's element type.</typeparam>
    internal ref struct HeadGroup<TQuery, TKeyValue, TOutput>
        where TQuery : unmanaged
        where TKeyValue : unmanaged
        where TOutput : unmanaged
    {
        /// <summary>From the first query head's first row.</summary>
        public ReadOnlySpan<TQuery> Query;

        /// <summary>From the first query head's first output row; shaped as <see cref="Query"/>.</summary>
        public Span<TOutput> Output;

        /// <summary>Elements between two query (and output) rows of one head.</summary>
        public int QueryRowStride;

        /// <summary>Elements between the first rows of two consecutive query heads (and output heads).</summary>
        public int QueryHeadStride;

        /// <summary>From the first key row.</summary>
        public ReadOnlySpan<TKeyValue> Key;

        /// <summary>From the first value row; shaped as <see cref="Key"/>.</summary>
        public ReadOnlySpan<TKeyValue> Value;

        /// <summary>Elements between two key (and value) rows.</summary>
        public int KeyRowStride;

        /// <summary>Key/value heads of the call (at least 1; 0 is read as 1).</summary>
        public int KeyValueHeads;

        /// <summary>Elements between the first rows of two consecutive key/value heads.</summary>
        public int KeyHeadStride;

        /// <summary>Query heads of the call: KeyValueHeads x the query heads that share one key/value head.</summary>
        public int Heads;

        /// <summary>Query rows per head (Nq of the item).</summary>
        public int QueryCount;

        /// <summary>Key rows (Nk of the item).</summary>
        public int KeyCount;

        /// <summary>From the first head's first row; empty when the kernel returns none.</summary>
        public Span<float> LogSumExp;

        /// <summary>Entries between two heads' first rows of <see cref="LogSumExp"/>.</summary>
        public int LogSumExpHeadStride;

        /// <summary>The item's run-time masks, shared by its heads.</summary>
        public RuntimeMasks Masks;

        /// <summary>Each query head's score inputs (<see cref="Heads"/> entries; their bias pinned by the caller).</summary>
        public ReadOnlySpan<ScoreState> Scores;
    }
}
