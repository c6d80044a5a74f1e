using System;
using System.Diagnostics;
using KernelGen.Engine;
using KernelGen.Tests;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// Each runtime path names its own width's tile micro-kernels (IHeadDimensionPath.ScoreTile, ScoreTilePair,
    /// AccumulateTile), so the tile loop compiles one width per kernel: the same results, bit for bit, as the width's
    /// kernel called directly, and a pair of blocks only on the 512-bit path (the others throw, never being reached).
    /// </summary>
    public sealed class PathTileTests
    {
        private const int KeyBlock = AttentionEngine.KeyBlock;

        private readonly struct Head : IHeadDimension
        {
            public static int HeadDimension => 40;

            public static float ScoreScale => 0.25f;

            public static bool UseTiles => true;
        }

        [Fact]
        public void Vector512Path_RunsThe512BitTiles()
        {
            CheckScores<Vector512Path<Head>>(static (ref float q, ref float p, Span<float> s) => Vector512Tile<Vector512Path<Head>>.ScoreTile(ref q, ref p, s));
            CheckAccumulate<Vector512Path<Head>>(static (Span<float> a, ReadOnlySpan<float> c, ReadOnlySpan<float> w, ref float v, int n) => Vector512Tile<Vector512Path<Head>>.AccumulateTile(a, c, w, ref v, n));
            float[] query = TestData.Uniform(3, 8 * 40), packed = TestData.Uniform(4, 2 * 16 * 40);
            float[] expected = new float[8 * KeyBlock], actual = new float[8 * KeyBlock];
            Vector512Tile<Vector512Path<Head>>.ScoreTilePair(ref query[0], ref packed[0], expected);
            Pair<Vector512Path<Head>>(ref query[0], ref packed[0], actual);
            Assert.Equal(expected, actual);
        }

        [Fact]
        public void Vector256Path_RunsThe256BitTiles_AndPairsNoBlocks()
        {
            CheckScores<Vector256Path<Head>>(static (ref float q, ref float p, Span<float> s) => Vector256Tile<Vector256Path<Head>>.ScoreTile(ref q, ref p, s));
            CheckAccumulate<Vector256Path<Head>>(static (Span<float> a, ReadOnlySpan<float> c, ReadOnlySpan<float> w, ref float v, int n) => Vector256Tile<Vector256Path<Head>>.AccumulateTile(a, c, w, ref v, n));
            Assert.Throws<UnreachableException>(PairOfOnes<Vector256Path<Head>>);
        }

        [Fact]
        public void Vector128Path_RunsThe128BitTiles_AndPairsNoBlocks()
        {
            CheckScores<Vector128Path<Head>>(static (ref float q, ref float p, Span<float> s) => Vector128Tile<Vector128Path<Head>>.ScoreTile(ref q, ref p, s));
            CheckAccumulate<Vector128Path<Head>>(static (Span<float> a, ReadOnlySpan<float> c, ReadOnlySpan<float> w, ref float v, int n) => Vector128Tile<Vector128Path<Head>>.AccumulateTile(a, c, w, ref v, n));
            Assert.Throws<UnreachableException>(PairOfOnes<Vector128Path<Head>>);
        }

        private delegate void ScoreKernel(ref float queryRows, ref float packedBlock, Span<float> scores);

        private delegate void AccumulateKernel(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount);

        private static void Pair<TPath>(ref float queryRows, ref float packedBlock, Span<float> scores)
            where TPath : struct, IHeadDimensionPath =>
            TPath.ScoreTilePair(ref queryRows, ref packedBlock, scores);

        private static void PairOfOnes<TPath>()
            where TPath : struct, IHeadDimensionPath
        {
            float[] query = new float[8 * 40], packed = new float[2 * 16 * 40], scores = new float[8 * KeyBlock];
            Pair<TPath>(ref query[0], ref packed[0], scores);
        }

        private static void CheckScores<TPath>(ScoreKernel direct)
            where TPath : struct, IHeadDimensionPath
        {
            float[] query = TestData.Uniform(1, 8 * 40), packed = TestData.Uniform(2, 16 * 40);
            float[] expected = new float[8 * KeyBlock], actual = new float[8 * KeyBlock];
            direct(ref query[0], ref packed[0], expected);
            TPath.ScoreTile(ref query[0], ref packed[0], actual);
            Assert.Equal(expected, actual);
        }

        private static void CheckAccumulate<TPath>(AccumulateKernel direct)
            where TPath : struct, IHeadDimensionPath
        {
            float[] start = TestData.Uniform(5, 8 * 40), weights = TestData.Uniform(6, 8 * KeyBlock), values = TestData.Uniform(7, 37 * 40), corrections = TestData.Uniform(8, 8);
            float[] expected = (float[])start.Clone(), actual = (float[])start.Clone();
            direct(expected, corrections, weights, ref values[0], 37);
            TPath.AccumulateTile(actual, corrections, weights, ref values[0], 37);
            Assert.Equal(expected, actual);
        }
    }
}
