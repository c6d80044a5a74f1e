using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// A kernel's head-dimension constants (generated per kernel, a struct of three properties): d, the scale folded into
    /// every dot product, and whether tiles pay. The runtime's paths (<see cref="Vector512Path{THead}"/>,
    /// <see cref="Vector256Path{THead}"/>, <see cref="Vector128Path{THead}"/>, <see cref="ScalarPath{THead}"/>) are generic
    /// over it, so each member is a JIT-time constant in their loops and in the tiles they pick.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IHeadDimension
    {
        /// <summary>d, floats per row (1 to 512).</summary>
        static abstract int HeadDimension { get; }

        /// <summary>The factor applied to every dot product: the kernel's scale, or 1 when the scale comes with each call.</summary>
        static abstract float ScoreScale { get; }

        /// <summary>
        /// Whether the vector paths take the engine's tiles (their RowTile is then 8, 4 or 2); false when every row sees too
        /// few keys for tiles to pay (a narrow window), so rows run one at a time.
        /// </summary>
        static abstract bool UseTiles { get; }
    }
}
