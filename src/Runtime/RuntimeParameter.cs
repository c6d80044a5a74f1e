using System;

namespace KernelGen
{
    /// <summary>
    /// The run-time parameters a batched kernel may declare after <c>int batch</c>; <see cref="BatchedKernelInfo.Parameters"/>
    /// holds the ones a kernel declares.
    /// </summary>
    [Flags]
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
    }
}
