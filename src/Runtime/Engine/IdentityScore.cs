using System;

namespace KernelGen.Engine
{
    /// <summary>The score transform of a kernel without score modifiers: s = scale x dot(q, k), unchanged.</summary>
    public readonly struct IdentityScore : IScoreTransform
    {
        /// <inheritdoc/>
        public static bool IsIdentity => true;

        /// <inheritdoc/>
        public static void Apply(Span<float> scores, int position, int firstKey)
        {
        }
    }
}
