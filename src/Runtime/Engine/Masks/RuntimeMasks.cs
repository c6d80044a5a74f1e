using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// The run-time masks of one head: keyMask (false drops key j for this call) and the dense mask (false hides key j
    /// from query i), composed by AND with the compile-time mask. Either may be empty (absent).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly ref struct RuntimeMasks
    {
        /// <summary>Masks of one head: <paramref name="keyMask"/> [Nk] and <paramref name="mask"/> rows of <paramref name="maskStride"/> flags.</summary>
        public RuntimeMasks(ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, int maskStride)
        {
            KeyMask = keyMask;
            Mask = mask;
            MaskStride = maskStride;
        }

        /// <summary>[Nk]: false drops the key for every query; empty when absent.</summary>
        public ReadOnlySpan<bool> KeyMask { get; }

        /// <summary>Query row i's flags start at i x <see cref="MaskStride"/>; empty when absent.</summary>
        public ReadOnlySpan<bool> Mask { get; }

        /// <summary>The distance between two query rows of <see cref="Mask"/>.</summary>
        public int MaskStride { get; }

    }
}
