using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// The head-dimension code of one kernel at one vector width (generated: the d-unrolled single-row micro-kernels,
    /// with the kernel's scale folded in; the tile micro-kernels are the engine's own, specialised by d and the scale). The engine is generic over it, so each width is compiled separately and every call
    /// below is a direct, inlinable call.
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
    }
}
