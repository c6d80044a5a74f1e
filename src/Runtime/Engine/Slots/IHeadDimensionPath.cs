using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// The head-dimension code of one kernel at one vector width: the single-row micro-kernels, with the kernel's scale
    /// folded in, and the choice of tiles (the tile micro-kernels are the engine's own, specialised by d and the scale).
    /// The runtime's <see cref="Vector512Path{THead}"/>, <see cref="Vector256Path{THead}"/>, <see cref="Vector128Path{THead}"/>
    /// and <see cref="ScalarPath{THead}"/> implement it for any d, generic over the kernel's generated
    /// <see cref="IHeadDimension"/> constants. The engine is generic over it, so each width is compiled separately and every
    /// call below is a direct call.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IHeadDimensionPath
    {
        /// <summary>d, floats per row.</summary>
        static abstract int HeadDimension { get; }

        /// <summary>The factor applied to every dot product (the kernel's scale).</summary>
        static abstract float ScoreScale { get; }

        /// <summary>
        /// Query rows per tile, which also picks the engine's tile micro-kernels: 8 = <see cref="Vector512Tile{TPath}"/>,
        /// 4 = <see cref="Vector256Tile{TPath}"/>, 2 = <see cref="Vector128Tile{TPath}"/>; 0 = no tiles, rows run one at a time.
        /// </summary>
        static abstract int RowTile { get; }

        /// <summary>scores[t] = Scale * dot(queryVector, key row t), for the contiguous key rows starting at keyRows.</summary>
        static abstract void ScoreBlock(ref float queryVector, ref float keyRows, Span<float> scores);

        /// <summary>accumulator = correction * accumulator + sum over t of weights[t] * value row t.</summary>
        static abstract void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueRows);

        // The tile micro-kernels of the path's width, resolved by the path's type rather than by a branch on RowTile: the
        // JIT inlines into a branch before it folds it, so a branch per width compiled every width's register tile into
        // each kernel's tile loop and threw all but one away (bench/RESULTS.md, "First call"). Internal: only the
        // runtime's paths (and the tests' paths) implement them; TileWidths<TPath> is the branch for a path of any width.

        /// <summary>RowTile rows x 16 keys of scores from a packed block (see <see cref="Vector512Tile{TPath}.ScoreTile"/>).</summary>
        internal static abstract void ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores);

        /// <summary>Two adjacent packed blocks at once; only reached when RowTile is 8 (see <see cref="Vector512Tile{TPath}.ScoreTilePair"/>).</summary>
        internal static abstract void ScoreTilePair(ref float queryRows, ref float packedBlock, Span<float> scores);

        /// <summary>P V for RowTile rows (see <see cref="Vector512Tile{TPath}.AccumulateTile"/>).</summary>
        internal static abstract void AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount);
    }
}
