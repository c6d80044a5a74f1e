using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// A kernel's compile-time mask, as constants (generated for the spec). The engine turns them into row ranges
    /// through <c>MaskGeometry</c>, the one place the rule is written, and composes them with the run-time masks of
    /// <see cref="RuntimeMasks"/> into a status per block of rows x 16 keys: skipped, full, or partial (masked with
    /// vector compares). Every member is a JIT-time constant, so code for an absent feature is not compiled.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IAttentionMask
    {
        /// <summary>Whether keys after the query's position are hidden.</summary>
        static abstract bool Causal { get; }

        /// <summary>Whether a sliding window applies.</summary>
        static abstract bool HasWindow { get; }

        /// <summary>Keys visible before the query's position (with a window).</summary>
        static abstract int WindowLeft { get; }

        /// <summary>Keys visible after the query's position (with a window).</summary>
        static abstract int WindowRight { get; }

        /// <summary>Global positions, sorted and unique; empty without a window (every key is visible anyway).</summary>
        static abstract ReadOnlySpan<int> GlobalPositions { get; }

        /// <summary>Whether the kernel takes run-time masks (keyMask, mask); false compiles their code out.</summary>
        static abstract bool HasRuntimeMasks { get; }
    }
}
