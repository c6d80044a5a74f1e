using System;
using System.Runtime.CompilerServices;

namespace KernelGen.Engine
{
    /// <summary>
    /// The tile micro-kernels picked by a branch on <typeparamref name="TPath"/>'s RowTile (8 = 512-bit, 4 = 256-bit,
    /// otherwise 128-bit), for a path that runs any width's tiles (the tests' scalar paths). The runtime's own paths
    /// name their width's kernels directly (<see cref="IHeadDimensionPath.ScoreTile"/>), so their tile loops compile
    /// one width only.
    /// </summary>
    internal static class TileWidths<TPath>
        where TPath : struct, IHeadDimensionPath
    {
        /// <summary>Scores of a tile: the engine's micro-kernel for the path's width (RowTile is a JIT-time constant).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores)
        {
            if (TPath.RowTile == 8)
            {
                Vector512Tile<TPath>.ScoreTile(ref queryRows, ref packedBlock, scores);
            }
            else if (TPath.RowTile == 4)
            {
                Vector256Tile<TPath>.ScoreTile(ref queryRows, ref packedBlock, scores);
            }
            else
            {
                Vector128Tile<TPath>.ScoreTile(ref queryRows, ref packedBlock, scores);
            }
        }

        /// <summary>P V of a tile: the engine's micro-kernel for the path's width.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount)
        {
            if (TPath.RowTile == 8)
            {
                Vector512Tile<TPath>.AccumulateTile(accumulators, corrections, weights, ref valueRows, keyCount);
            }
            else if (TPath.RowTile == 4)
            {
                Vector256Tile<TPath>.AccumulateTile(accumulators, corrections, weights, ref valueRows, keyCount);
            }
            else
            {
                Vector128Tile<TPath>.AccumulateTile(accumulators, corrections, weights, ref valueRows, keyCount);
            }
        }

        /// <summary>Two adjacent packed blocks: the 512-bit kernel's alone.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ScoreTilePair(ref float queryRows, ref float packedBlock, Span<float> scores) =>
            Vector512Tile<TPath>.ScoreTilePair(ref queryRows, ref packedBlock, scores);
    }
}
