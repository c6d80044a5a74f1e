using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// The run-time parameters a batched kernel may declare after <c>int batch</c>; <see cref="BatchedKernelInfo.Parameters"/>
    /// holds the ones a kernel declares.
    /// </summary>
    [Flags]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public enum RuntimeParameter
    {
        /// <summary>No run-time parameter: every item uses all Nq queries and Nk keys, and no run-time mask.</summary>
        None = 0,

        /// <summary><c>keyLengths</c> [B]: the valid keys of each item.</summary>
        KeyLengths = 1,

        /// <summary><c>queryLengths</c> [B]: the valid queries of each item.</summary>
        QueryLengths = 2,

        /// <summary><c>keyMask</c> [B, Nk]: false drops a key.</summary>
        KeyMask = 4,

        /// <summary><c>mask</c> [B, Nq, Nk] or [Nq, Nk]: false drops a (query, key) pair.</summary>
        Mask = 8,

        /// <summary><c>logSumExp</c> [B, H, Nq] (or [H, total] when packed): written, one value per query row and head.</summary>
        LogSumExp = 16,

        /// <summary><c>sequenceStarts</c> [B + 1]: packed items, item b at rows sequenceStarts[b] .. sequenceStarts[b + 1].</summary>
        SequenceStarts = 32,

        /// <summary><c>querySequenceStarts</c> [B + 1]: packed queries, item b at rows querySequenceStarts[b] .. [b + 1] (with keySequenceStarts).</summary>
        QuerySequenceStarts = 64,

        /// <summary><c>keySequenceStarts</c> [B + 1]: packed keys, item b at rows keySequenceStarts[b] .. [b + 1] (with querySequenceStarts).</summary>
        KeySequenceStarts = 128,

        /// <summary><c>scale</c>: the score scale of this call (finite, &gt; 0), replacing the compile-time one.</summary>
        Scale = 256,

        /// <summary><c>alibiSlopes</c> [H] or [B, H]: the ALiBi slopes of this call, replacing the standard ones.</summary>
        AlibiSlopes = 512,

        /// <summary><c>bias</c> [Nq, Nk], [B, Nq, Nk] or [B, H, Nq, Nk]: added to every score; -inf hides a key.</summary>
        Bias = 1024,

        /// <summary><c>sinks</c> [H]: each query head's sink logit, e^sink joining every softmax denominator.</summary>
        Sinks = 2048,
    }
}
