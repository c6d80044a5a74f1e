using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// The slot for what changes a score between the scaled dot product and the mask (a run-time scale, softcapping,
    /// ALiBi, an additive bias) and for a sink in the softmax denominator. A new score modifier is a new struct, not a
    /// flag through the engine. <see cref="IdentityScore"/> is a kernel without modifiers; <see cref="ModifiedScore{TFeatures}"/>
    /// composes the ones a kernel declares. Every property is a JIT-time constant, so the engine's calls for an absent
    /// feature compile to nothing.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IScoreTransform
    {
        /// <summary>Whether <see cref="Apply"/> leaves every score unchanged (the engine then never calls it).</summary>
        static abstract bool IsIdentity { get; }

        /// <summary>Whether <see cref="Apply"/> may turn a score into -inf (an additive bias can hide a key).</summary>
        static abstract bool MayHide { get; }

        /// <summary>Whether every row's softmax denominator gains e^(<see cref="ScoreState.Sink"/>).</summary>
        static abstract bool HasSink { get; }

        /// <summary>
        /// Transforms the dot-product scores (times the path's ScoreScale) of query row <paramref name="queryRow"/>, which
        /// sits at key position <paramref name="position"/>, for the keys <paramref name="firstKey"/> ..
        /// <paramref name="firstKey"/> + scores.Length - 1, before any mask is applied.
        /// </summary>
        static abstract void Apply(Span<float> scores, int queryRow, int position, int firstKey, in ScoreState state);
    }
}
