using System;
using KernelGen.Engine;
using Xunit;
using KernelGen.Tests;
using static KernelGen.Tests.EngineTestSlots;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The tile micro-kernels bit for bit against scalar models of their arithmetic: scores are multiply-adds over the
    /// columns in order (fused on the 512- and 256-bit tiles, multiply then add on the 128-bit one), times the scale;
    /// the accumulate is correction x acc, then one multiply-add per key in key order (fused for the columns the vector
    /// loops of 8 or more take on the 512- and 256-bit tiles, multiply then add for the 4-column and scalar tails and on
    /// the 128-bit tile). Head dimensions reach every column loop; 512-bit code is emulated where the CPU lacks it.
    /// </summary>
    public sealed class TileKernelTests
    {
        private const int KeyBlock = AttentionEngine.KeyBlock;

        public readonly struct D24 : IConstant
        {
            public static int Value => 24;
        }

        public readonly struct D48 : IConstant
        {
            public static int Value => 48;
        }

        [Fact]
        public void ScoreTiles_MatchTheirScalarModel_AndThePairMatchesTwoTiles()
        {
            CheckScores<D24>();
            CheckScores<D37>();
            CheckScores<D48>();
            CheckScores<D61>();
            CheckScores<D64>();
        }

        [Theory]
        [InlineData(1)]
        [InlineData(17)]
        [InlineData(64)]
        public void AccumulateTiles_MatchTheirScalarModel(int keyCount)
        {
            CheckAccumulate<D24>(keyCount);
            CheckAccumulate<D37>(keyCount);
            CheckAccumulate<D48>(keyCount);
            CheckAccumulate<D61>(keyCount);
            CheckAccumulate<D64>(keyCount);
        }

        private static void CheckScores<TDim>()
            where TDim : struct, IConstant
        {
            int d = TDim.Value;
            var random = new Random(d);
            float[] query = TestData.Uniform(random.Next(), 8 * d), packed = TestData.Uniform(random.Next(), 2 * 16 * d);
            foreach (int rows in new[] { 8, 4, 2 })
            {
                float[] actual = new float[8 * KeyBlock];
                switch (rows)
                {
                    case 8: Vector512Tile<TestPath<TDim, Eight>>.ScoreTile(ref query[0], ref packed[0], actual); break;
                    case 4: Vector256Tile<TestPath<TDim, Four>>.ScoreTile(ref query[0], ref packed[0], actual); break;
                    default: Vector128Tile<TestPath<TDim, Two>>.ScoreTile(ref query[0], ref packed[0], actual); break;
                }

                for (int r = 0; r < rows; r++)
                {
                    for (int t = 0; t < 16; t++)
                    {
                        Assert.Equal(ModelScore(query, packed, r, t, d, fused: rows != 2), actual[r * KeyBlock + t]);
                    }
                }
            }

            float[] pair = new float[8 * KeyBlock], single = new float[8 * KeyBlock];
            Vector512Tile<TestPath<TDim, Eight>>.ScoreTilePair(ref query[0], ref packed[0], pair);
            Vector512Tile<TestPath<TDim, Eight>>.ScoreTile(ref query[0], ref packed[0], single);
            Vector512Tile<TestPath<TDim, Eight>>.ScoreTile(ref query[0], ref packed[16 * d], single.AsSpan(16));
            Assert.Equal(single, pair);
        }

        /// <summary>scale x dot(query row r, key t of the packed block ([d][16])), columns in order.</summary>
        private static float ModelScore(float[] query, float[] packed, int r, int t, int d, bool fused)
        {
            float sum = 0f;
            for (int c = 0; c < d; c++)
            {
                float q = query[r * d + c], k = packed[c * 16 + t];
                sum = fused ? MathF.FusedMultiplyAdd(q, k, sum) : q * k + sum;
            }

            return sum * 0.3f;
        }

        private static void CheckAccumulate<TDim>(int keyCount)
            where TDim : struct, IConstant
        {
            int d = TDim.Value;
            var random = new Random(d * 100 + keyCount);
            float[] start = TestData.Uniform(random.Next(), 8 * d), weights = TestData.Uniform(random.Next(), 8 * KeyBlock);
            float[] values = TestData.Uniform(random.Next(), keyCount * d), corrections = TestData.Uniform(random.Next(), 8);
            foreach (int rows in new[] { 8, 4, 2 })
            {
                float[] actual = (float[])start.Clone();
                switch (rows)
                {
                    case 8: Vector512Tile<TestPath<TDim, Eight>>.AccumulateTile(actual, corrections, weights, ref values[0], keyCount); break;
                    case 4: Vector256Tile<TestPath<TDim, Four>>.AccumulateTile(actual, corrections, weights, ref values[0], keyCount); break;
                    default: Vector128Tile<TestPath<TDim, Two>>.AccumulateTile(actual, corrections, weights, ref values[0], keyCount); break;
                }

                int fusedColumns = rows == 2 ? 0 : d / 8 * 8;
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < d; c++)
                    {
                        float sum = start[r * d + c] * corrections[r];
                        for (int t = 0; t < keyCount; t++)
                        {
                            float w = weights[r * KeyBlock + t], v = values[t * d + c];
                            sum = c < fusedColumns ? MathF.FusedMultiplyAdd(w, v, sum) : w * v + sum;
                        }

                        Assert.True(sum == actual[r * d + c], $"{rows} rows, d {d}, {keyCount} keys: row {r} column {c}: {actual[r * d + c]} against the model's {sum}");
                    }
                }

                Assert.Equal(start.AsSpan(rows * d).ToArray(), actual.AsSpan(rows * d).ToArray()); // rows past the tile untouched
            }
        }
    }
}
