using System;

namespace KernelGen.Engine
{
    /// <summary>
    /// The slot for what changes a score between the scaled dot product and the mask: softcapping, ALiBi, an additive
    /// bias. A new score modifier is a new struct, not a flag through the engine. <see cref="IdentityScore"/> is today's
    /// only one; its <see cref="IsIdentity"/> is a JIT-time constant, so the engine's calls to it compile to nothing.
    /// </summary>
    public interface IScoreTransform
    {
        /// <summary>Whether <see cref="Apply"/> leaves every score unchanged (the engine then never calls it).</summary>
        static abstract bool IsIdentity { get; }

        /// <summary>
        /// Transforms the scaled scores of one query row, at key position <paramref name="position"/>, for the keys
        /// <paramref name="firstKey"/> .. <paramref name="firstKey"/> + scores.Length - 1, before any mask is applied.
        /// </summary>
        static abstract void Apply(Span<float> scores, int position, int firstKey);
    }
}
