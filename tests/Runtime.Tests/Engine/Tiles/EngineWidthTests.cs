using System;
using System.Linq;
using KernelGen.Engine;
using Xunit;
using KernelGen.Tests;
using static KernelGen.Tests.EngineTestSlots;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The engine's tile micro-kernels of every width, on any machine: a hand-written path struct with RowTile 8, 4, 2 or 0
    /// picks the Vector512, Vector256, Vector128 tiles or single rows, and the JIT emulates a width the processor lacks,
    /// so the 512-bit tiles are checked here even without AVX-512. Head dimensions whose tail needs the narrower
    /// remainder columns (37 = 32 + 4 + 1), a mask with every static part, and run-time masks; against the reference.
    /// </summary>
    public sealed class EngineWidthTests
    {
        [Theory]
        [InlineData(8)]
        [InlineData(4)]
        [InlineData(0)]
        public void KeyMaskAlone_RunsOnTheKeptKeys_AndMatchesReference(int rowTile)
        {
            const int D = 37;
            foreach ((int queries, int keys) in new[] { (1, 1), (19, 19), (70, 100), (100, 70), (9, 3000) })
            {
                var random = new Random(rowTile + queries);
                float[] query = TestData.Uniform(random.Next(), queries * D), key = TestData.Uniform(random.Next(), keys * D), value = TestData.Uniform(random.Next(), keys * D);
                bool[] keyMask = new bool[keys];
                for (int j = 0; j < keys; j++)
                {
                    keyMask[j] = random.NextDouble() < 0.6;
                    if (!keyMask[j])
                    {
                        value[j * D] = float.NaN; // a dropped key is never read
                    }
                }

                float[] output = new float[queries * D], logSumExp = new float[queries];
                var masks = new RuntimeMasks(keyMask, default, 0);
                switch (rowTile)
                {
                    case 8: AttentionEngine<TestPath<D37, Eight>, WindowMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                    case 4: AttentionEngine<TestPath<D37, Four>, WindowMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                    default: AttentionEngine<TestPath<D37, Zero>, WindowMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                }

                var spec = new AttentionSpec(D, Scale, causal: true, new AttentionWindow(40, 0));
                double[] expected = new double[output.Length], expectedLse = new double[queries];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, 1, 1, 1, query, key, value, expected, default, default, default, expectedLse, keyMask);
                AssertClose(expected, output, $"tile {rowTile}, {queries} x {keys}, keyMask alone");
                AssertClose(expectedLse, logSumExp, $"tile {rowTile}, {queries} x {keys}, keyMask alone, log-sum-exp");
            }
        }

        /// <summary>
        /// Whole 16-key blocks dropped by keyMask, so the 64-key tiles score the block patterns {0, 2}, {1, 2}, {0, 1, 3}
        /// and {0, 1, 2, 3}: a scored block beside a skipped one, and a pair of blocks starting at block 1 (the Vector512
        /// tile scores adjacent scored blocks together; a skipped neighbour must keep its -inf). A non-empty mask keeps the
        /// call off the compacted path; the dropped keys' values are NaN, so reading one would show.
        /// </summary>
        [Theory]
        [InlineData(8)]
        [InlineData(4)]
        [InlineData(2)]
        public void DroppedBlocks_BesideScoredOnes_MatchReference(int rowTile)
        {
            const int D = 61, Queries = 16, Keys = 4 * 64 + 7;
            int[] droppedBlocks = { 1, 3, 4, 7, 10 }; // tile 0: {0, 2}; tile 1: {1, 2}; tile 2: {0, 1, 3}; tile 3 whole; a short tail
            var random = new Random(rowTile);
            float[] query = TestData.Uniform(random.Next(), Queries * D), key = TestData.Uniform(random.Next(), Keys * D), value = TestData.Uniform(random.Next(), Keys * D);
            bool[] keyMask = new bool[Keys], mask = new bool[Queries * Keys];
            for (int j = 0; j < Keys; j++)
            {
                keyMask[j] = Array.IndexOf(droppedBlocks, j / 16) < 0;
                if (!keyMask[j])
                {
                    value[j * D] = float.NaN;
                }
            }

            mask.AsSpan().Fill(true);
            float[] output = new float[Queries * D], logSumExp = new float[Queries];
            var masks = new RuntimeMasks(keyMask, mask, Keys);
            switch (rowTile)
            {
                case 8: AttentionEngine<TestPath<D61, Eight>, RuntimeOnlyMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case 4: AttentionEngine<TestPath<D61, Four>, RuntimeOnlyMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                default: AttentionEngine<TestPath<D61, Two>, RuntimeOnlyMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
            }

            double[] expected = new double[output.Length], expectedLse = new double[Queries];
            ReferenceAttention.ComputeBatched(new AttentionSpec(D, Scale), AttentionLayout.BatchHeadSeqDim, 1, 1, 1, query, key, value, expected, default, default, default,
                expectedLse, keyMask, mask);
            AssertClose(expected, output, $"tile {rowTile}, dropped blocks");
            AssertClose(expectedLse, logSumExp, $"tile {rowTile}, dropped blocks, log-sum-exp");
        }

        [Theory]
        [InlineData(8, 37)]
        [InlineData(4, 37)]
        [InlineData(2, 37)]
        [InlineData(0, 37)]
        [InlineData(8, 64)]
        [InlineData(4, 64)]
        [InlineData(2, 64)]
        [InlineData(8, 61)]
        [InlineData(4, 61)]
        [InlineData(2, 61)]
        public void EveryTileWidth_WithEveryMaskPart_MatchesReference(int rowTile, int d)
        {
            foreach ((int queries, int keys) in new[] { (1, 1), (19, 19), (70, 100), (100, 70), (9, 300) })
            {
                var random = new Random(rowTile * 1000 + d + queries);
                float[] query = TestData.Uniform(random.Next(), queries * d), key = TestData.Uniform(random.Next(), keys * d), value = TestData.Uniform(random.Next(), keys * d);
                bool[] keyMask = new bool[keys], mask = new bool[queries * keys];
                for (int j = 0; j < keys; j++)
                {
                    keyMask[j] = random.NextDouble() < 0.7 || j < 16; // the first block kept whole, others thinned
                }

                for (int i = 0; i < mask.Length; i++)
                {
                    mask[i] = random.NextDouble() < 0.8;
                }

                float[] output = new float[queries * d], logSumExp = new float[queries];
                Run(rowTile, d, masked: true, query, key, value, output, logSumExp, keyMask, mask, keys);

                var spec = new AttentionSpec(d, Scale, causal: true, new AttentionWindow(40, 0), new[] { 0, 3 });
                double[] expected = new double[output.Length], expectedLse = new double[queries];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, 1, 1, 1, query, key, value, expected, default, default, default, expectedLse, keyMask, mask);
                AssertClose(expected, output, $"tile {rowTile}, d {d}, {queries} x {keys}, masked");
                AssertClose(expectedLse, logSumExp, $"tile {rowTile}, d {d}, {queries} x {keys}, masked log-sum-exp");

                Run(rowTile, d, masked: false, query, key, value, output, logSumExp, default, default, 0);
                ReferenceAttention.Compute(new AttentionSpec(d, Scale), query, key, value, expected, expectedLse);
                AssertClose(expected, output, $"tile {rowTile}, d {d}, {queries} x {keys}, full");
            }
        }

        private static void Run(int rowTile, int d, bool masked, float[] query, float[] key, float[] value, float[] output, float[] logSumExp, bool[]? keyMask, bool[]? mask, int stride)
        {
            var masks = new RuntimeMasks(keyMask, mask, stride);
            switch ((rowTile, d, masked))
            {
                case (8, 37, true): AttentionEngine<TestPath<D37, Eight>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (4, 37, true): AttentionEngine<TestPath<D37, Four>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (2, 37, true): AttentionEngine<TestPath<D37, Two>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (0, 37, true): AttentionEngine<TestPath<D37, Zero>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (8, 64, true): AttentionEngine<TestPath<D64, Eight>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (4, 64, true): AttentionEngine<TestPath<D64, Four>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (2, 64, true): AttentionEngine<TestPath<D64, Two>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (8, 61, true): AttentionEngine<TestPath<D61, Eight>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (4, 61, true): AttentionEngine<TestPath<D61, Four>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (2, 61, true): AttentionEngine<TestPath<D61, Two>, EveryPartMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (8, 37, false): AttentionEngine<TestPath<D37, Eight>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (4, 37, false): AttentionEngine<TestPath<D37, Four>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (2, 37, false): AttentionEngine<TestPath<D37, Two>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (0, 37, false): AttentionEngine<TestPath<D37, Zero>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (8, 64, false): AttentionEngine<TestPath<D64, Eight>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (4, 64, false): AttentionEngine<TestPath<D64, Four>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (2, 64, false): AttentionEngine<TestPath<D64, Two>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (8, 61, false): AttentionEngine<TestPath<D61, Eight>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (4, 61, false): AttentionEngine<TestPath<D61, Four>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                case (2, 61, false): AttentionEngine<TestPath<D61, Two>, NoMask, IdentityScore>.Compute(query, key, value, output, logSumExp, masks); break;
                default: throw new ArgumentOutOfRangeException(nameof(rowTile));
            }
        }

        /// <summary>
        /// The score slot on every tile width (the transform runs on tile lanes, single rows, key chunks and global keys),
        /// with every mask part and run-time mask, against the batched reference with one item and one head.
        /// </summary>
        [Theory]
        [InlineData(8)]
        [InlineData(4)]
        [InlineData(2)]
        [InlineData(0)]
        public void EveryTileWidth_WithEveryScoreModifier_MatchesReference(int rowTile)
        {
            const int D = 37;
            foreach ((int queries, int keys) in new[] { (1, 1), (19, 19), (70, 100), (100, 70), (2, 2100) })
            {
                var random = new Random(rowTile * 100 + queries);
                float[] query = TestData.Uniform(random.Next(), queries * D, 2f), key = TestData.Uniform(random.Next(), keys * D, 2f), value = TestData.Uniform(random.Next(), keys * D);
                bool[] keyMask = Enumerable.Range(0, keys).Select(j => j < 16 || random.NextDouble() < 0.7).ToArray();
                bool[] mask = Enumerable.Range(0, queries * keys).Select(_ => random.NextDouble() < 0.85).ToArray();
                float[] bias = Enumerable.Range(0, queries * keys).Select(_ => random.NextDouble() < 0.03 ? float.NegativeInfinity : (float)(random.NextDouble() * 2 - 1)).ToArray();
                float scale = 0.4f, slope = 0.05f, sink = 0.7f;
                float[] output = new float[queries * D], logSumExp = new float[queries];
                var masks = new RuntimeMasks(keyMask, mask, keys);
                var scores = new ScoreArguments { Scale = scale, AlibiSlope = slope, Bias = bias, BiasStride = keys, HasSink = true, Sink = sink };
                switch (rowTile)
                {
                    case 8: AttentionEngine<TestPath<D37, Eight>, EveryPartMask, ModifiedScore<EveryScore>>.Compute(query, key, value, output, logSumExp, masks, scores); break;
                    case 4: AttentionEngine<TestPath<D37, Four>, EveryPartMask, ModifiedScore<EveryScore>>.Compute(query, key, value, output, logSumExp, masks, scores); break;
                    case 2: AttentionEngine<TestPath<D37, Two>, EveryPartMask, ModifiedScore<EveryScore>>.Compute(query, key, value, output, logSumExp, masks, scores); break;
                    default: AttentionEngine<TestPath<D37, Zero>, EveryPartMask, ModifiedScore<EveryScore>>.Compute(query, key, value, output, logSumExp, masks, scores); break;
                }

                // The test path multiplies dot products by its ScoreScale (0.3); the run-time scale multiplies after it.
                var spec = new AttentionSpec(D, Scale, causal: true, new AttentionWindow(40, 0), new[] { 0, 3 }, softcap: 2f, alibi: true);
                double[] expected = new double[output.Length], expectedLse = new double[queries];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, 1, 1, 1, query, key, value, expected, default, default, default, expectedLse, keyMask, mask,
                    scale: Scale * scale, alibiSlopes: new[] { slope }, bias: bias, sinks: new[] { sink });
                AssertClose(expected, output, $"tile {rowTile}, {queries} x {keys}, every score modifier");
                AssertClose(expectedLse, logSumExp, $"tile {rowTile}, {queries} x {keys}, every score modifier, log-sum-exp");
            }
        }

        private static void AssertClose(double[] expected, float[] actual, string what)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                bool same = double.IsNegativeInfinity(expected[i]) ? float.IsNegativeInfinity(actual[i]) : Math.Abs(actual[i] - expected[i]) <= 2e-5 * Math.Max(1, Math.Abs(expected[i]));
                Assert.True(same, $"{what}: element {i} is {actual[i]}, expected {expected[i]}");
            }
        }
    }
}
