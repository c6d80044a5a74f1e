using System;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// <see cref="TileMask"/> against its contract written out per lane here: lane t of a 16-score block stays (bit for bit)
    /// when start &lt;= blockStart + t &lt; end, or when bit t of the global lanes is set and blockStart + t &lt; visibleEnd;
    /// every other lane becomes -inf, and nothing past the 16th score is touched. The width this machine takes is the one
    /// tested; rerun with DOTNET_EnableAVX512=0 and DOTNET_EnableHWIntrinsic=0 for the 256-bit and scalar bodies.
    /// </summary>
    public sealed class TileMaskTests
    {
        private const int Block = 16;

        /// <summary>Scores with the values a masked row can hold: signed zeros, infinities, NaN and ordinary ones.</summary>
        private static float[] Scores(Random random, int length)
        {
            float[] special = { -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.MaxValue, -float.Epsilon };
            float[] scores = new float[length];
            for (int t = 0; t < length; t++)
            {
                scores[t] = random.Next(4) == 0 ? special[random.Next(special.Length)] : (float)(random.NextDouble() * 40 - 20);
            }

            return scores;
        }

        /// <summary>The contract for lane t, on 64-bit keys so that no test value can wrap.</summary>
        private static bool Visible(int blockStart, int t, int start, int end, int globalLanes, int visibleEnd)
        {
            long key = (long)blockStart + t;
            bool inRange = start <= key && key < end;
            bool global = (globalLanes & (1 << t)) != 0 && key < visibleEnd;
            return inRange || global;
        }

        private static void AssertMasked(float[] before, float[] after, Func<int, bool> visible, string context)
        {
            for (int t = 0; t < before.Length; t++)
            {
                float expected = t >= Block || visible(t) ? before[t] : float.NegativeInfinity;
                if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(after[t]))
                {
                    Assert.Fail($"{context}: lane {t} is {after[t]}, expected {expected} (was {before[t]})");
                }
            }
        }

        [Fact]
        public void Apply_EveryRangeAroundTheBlock_KeepsExactlyTheKeysInRange()
        {
            var random = new Random(1601);
            int[] blockStarts = { int.MinValue, -37, -16, -1, 0, 1, 15, 16, 17, 1000, int.MaxValue - 15 };
            foreach (int blockStart in blockStarts)
            {
                // Ends of the range from before the block to past it, empty and reversed ranges included.
                for (long startOffset = -2; startOffset <= Block + 2; startOffset++)
                {
                    for (long endOffset = -2; endOffset <= Block + 2; endOffset++)
                    {
                        int start = (int)Math.Clamp(blockStart + startOffset, int.MinValue, int.MaxValue);
                        int end = (int)Math.Clamp(blockStart + endOffset, int.MinValue, int.MaxValue);
                        float[] before = Scores(random, Block);
                        float[] after = (float[])before.Clone();

                        TileMask.Apply(after, blockStart, start, end);

                        AssertMasked(before, after, t => Visible(blockStart, t, start, end, 0, 0), $"block {blockStart}, range [{start}, {end})");
                    }
                }
            }
        }

        [Theory]
        [InlineData(0, int.MinValue, int.MaxValue)] // none masked
        [InlineData(0, 0, 16)] // none masked: the range is exactly the block
        [InlineData(32, 0, 32)] // all masked: the range ends where the block starts
        [InlineData(32, 48, 64)] // all masked: the range starts where the block ends
        [InlineData(5, 9, 9)] // all masked: an empty range inside the block
        [InlineData(5, 12, 8)] // all masked: a reversed range
        public void Apply_WholeBlockInOrOut_KeepsAllOrNone(int blockStart, int start, int end)
        {
            float[] before = Scores(new Random(1602), Block);
            float[] after = (float[])before.Clone();

            TileMask.Apply(after, blockStart, start, end);

            bool keep = start <= blockStart && blockStart + Block <= end;
            AssertMasked(before, after, _ => keep, $"block {blockStart}, range [{start}, {end})");
        }

        [Fact]
        public void Apply_RandomRangesAndGlobalLanes_MatchTheContract()
        {
            var random = new Random(1603);
            for (int trial = 0; trial < 20_000; trial++)
            {
                int blockStart = random.Next(-40, 200);
                int start = blockStart + random.Next(-20, 36);
                int end = start + random.Next(-4, 24);
                // Bits above 15 name no lane: random high bits must change nothing.
                int globalLanes = random.Next(3) switch { 0 => 0, 1 => 0xFFFF, _ => random.Next(0x10000) } | (random.Next(2) == 0 ? random.Next() << 16 : 0);
                int visibleEnd = random.Next(5) == 0 ? (random.Next(2) == 0 ? int.MinValue : int.MaxValue) : blockStart + random.Next(-3, 20);
                float[] before = Scores(random, Block + random.Next(0, 3));
                float[] after = (float[])before.Clone();

                TileMask.Apply(after, blockStart, start, end, globalLanes, visibleEnd);

                AssertMasked(before, after, t => Visible(blockStart, t, start, end, globalLanes, visibleEnd),
                    $"trial {trial}: block {blockStart}, range [{start}, {end}), globals 0x{globalLanes:X8} below {visibleEnd}");
            }
        }

        [Fact]
        public void Apply_GlobalLaneAtOrPastVisibleEnd_IsMasked()
        {
            // Every lane global, the range empty: exactly the keys below visibleEnd stay, for each cut through the block.
            for (int visibleEnd = 96; visibleEnd <= 96 + Block; visibleEnd++)
            {
                float[] before = Scores(new Random(visibleEnd), Block);
                float[] after = (float[])before.Clone();

                TileMask.Apply(after, blockStart: 96, start: 0, end: 0, globalLanes: 0xFFFF, visibleEnd);

                int cut = visibleEnd;
                AssertMasked(before, after, t => 96 + t < cut, $"visibleEnd {visibleEnd}");
            }
        }

        [Fact]
        public void ApplyBits_EveryLanePattern_KeepsExactlyTheSetLanes()
        {
            var random = new Random(1604);
            for (int keptLanes = 0; keptLanes <= 0xFFFF; keptLanes++)
            {
                int withHighBits = keptLanes | (random.Next() << 16);
                float[] before = Scores(random, Block);
                float[] after = (float[])before.Clone();

                TileMask.ApplyBits(after, withHighBits);

                int lanes = keptLanes;
                AssertMasked(before, after, t => (lanes & (1 << t)) != 0, $"kept lanes 0x{withHighBits:X8}");
            }
        }

        [Fact]
        public void Apply_SpanLongerThanABlock_LeavesThePastBlockScoresAlone()
        {
            float[] before = Scores(new Random(1605), Block + 9);
            float[] ranged = (float[])before.Clone(), bits = (float[])before.Clone();

            TileMask.Apply(ranged, blockStart: 0, start: 0, end: 0); // masks the whole block
            TileMask.ApplyBits(bits, 0);

            AssertMasked(before, ranged, _ => false, "range");
            AssertMasked(before, bits, _ => false, "bits");
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(Block - 1)]
        public void Apply_FewerThan16Scores_ThrowsNamingScores_AndWritesNothing(int length)
        {
            float[] scores = Scores(new Random(length), length);
            float[] before = (float[])scores.Clone();

            Assert.Equal("scores", Assert.Throws<ArgumentException>(() => TileMask.Apply(scores, 0, 0, 0)).ParamName);
            Assert.Equal("scores", Assert.Throws<ArgumentException>(() => TileMask.Apply(scores, 0, 0, 0, 0, 0)).ParamName);
            Assert.Equal("scores", Assert.Throws<ArgumentException>(() => TileMask.ApplyBits(scores, 0)).ParamName);
            AssertMasked(before, scores, _ => true, $"length {length}");
        }
    }
}
