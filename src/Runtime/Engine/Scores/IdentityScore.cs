using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>The score transform of a kernel without score modifiers: s = scale x dot(q, k), unchanged, and no sink.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct IdentityScore : IScoreTransform
    {
        /// <inheritdoc/>
        public static bool IsIdentity => true;

        /// <inheritdoc/>
        public static bool MayHide => false;

        /// <inheritdoc/>
        public static bool HasSink => false;

        /// <inheritdoc/>
        public static void Apply(Span<float> scores, int queryRow, int position, int firstKey, in ScoreState state)
        {
        }
    }
}
