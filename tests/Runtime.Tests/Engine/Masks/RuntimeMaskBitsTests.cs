using System;
using System.Linq;
using System.Runtime.InteropServices;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// <see cref="RuntimeMaskBits"/> against the two run-time masks written out key by key here: an absent (empty) mask keeps
    /// everything, a present one keeps key j when its flag j is true, and a key is kept when both masks keep it. Lengths
    /// around the 16-key block (the one-compare path of <see cref="RuntimeMaskBits.Bits"/>) and bools stored as bytes other than
    /// 0 and 1 included.
    /// </summary>
    public sealed class RuntimeMaskBitsTests
    {
        private static bool[] Flags(Random random, int length, int pattern) => pattern switch
        {
            0 => new bool[length], // all dropped
            1 => Enumerable.Repeat(true, length).ToArray(), // all kept
            _ => Enumerable.Range(0, length).Select(_ => random.Next(3) != 0).ToArray(),
        };

        /// <summary>Bools whose bytes are <paramref name="bytes"/>: any non-zero byte is true.</summary>
        private static ReadOnlySpan<bool> AsBools(byte[] bytes) => MemoryMarshal.Cast<byte, bool>(bytes);

        [Fact]
        public void AllDropped_AbsentKeyMask_IsFalse_WithoutReadingTheRange()
        {
            Assert.False(RuntimeMaskBits.AllDropped(ReadOnlySpan<bool>.Empty, 0, 0));
            Assert.False(RuntimeMaskBits.AllDropped(ReadOnlySpan<bool>.Empty, 0, 16));
            Assert.False(RuntimeMaskBits.AllDropped(ReadOnlySpan<bool>.Empty, 1000, 5));
        }

        [Fact]
        public void AllDropped_EveryRangeOfRandomMasks_IsTrueExactlyWhenNoKeyIsKept()
        {
            var random = new Random(1701);
            for (int trial = 0; trial < 60; trial++)
            {
                int length = random.Next(1, 41);
                bool[] keyMask = Flags(random, length, trial % 4);
                if (trial % 4 == 3)
                {
                    // Mostly dropped, so that many ranges are all dropped and a single kept key has to be found.
                    keyMask = new bool[length];
                    keyMask[random.Next(length)] = true;
                }

                for (int first = 0; first <= length; first++)
                {
                    for (int count = 0; first + count <= length; count++)
                    {
                        // An empty range has no kept key: every key of it is dropped.
                        bool expected = keyMask.Skip(first).Take(count).All(kept => !kept);
                        if (expected != RuntimeMaskBits.AllDropped(keyMask, first, count))
                        {
                            Assert.Fail($"mask [{string.Join("", keyMask.Select(k => k ? '1' : '0'))}], [{first}, {first + count}): expected {expected}");
                        }
                    }
                }
            }
        }

        [Fact]
        public void AllDropped_RangePastTheMask_Throws()
        {
            bool[] keyMask = new bool[16];

            Assert.Throws<ArgumentOutOfRangeException>(() => RuntimeMaskBits.AllDropped(keyMask, 1, 16));
            Assert.Throws<ArgumentOutOfRangeException>(() => RuntimeMaskBits.AllDropped(keyMask, 17, 0));
        }

        [Fact]
        public void Keeps_IsTheAndOfBothMasks_AnAbsentMaskKeepingAll()
        {
            bool[] keyMask = { false, false, true, true };
            bool[] rowMask = { false, true, false, true };
            for (int key = 0; key < 4; key++)
            {
                Assert.Equal(keyMask[key] && rowMask[key], RuntimeMaskBits.Keeps(keyMask, rowMask, key));
                Assert.Equal(keyMask[key], RuntimeMaskBits.Keeps(keyMask, ReadOnlySpan<bool>.Empty, key));
                Assert.Equal(rowMask[key], RuntimeMaskBits.Keeps(ReadOnlySpan<bool>.Empty, rowMask, key));
                Assert.True(RuntimeMaskBits.Keeps(ReadOnlySpan<bool>.Empty, ReadOnlySpan<bool>.Empty, key));
            }

            Assert.Throws<IndexOutOfRangeException>(() => RuntimeMaskBits.Keeps(keyMask, rowMask, 4));
        }

        [Fact]
        public void Bits_EveryLength_SetsBitTForEachTrueFlagOfTheFirst16()
        {
            var random = new Random(1702);
            for (int length = 0; length <= 40; length++)
            {
                for (int pattern = 0; pattern < 6; pattern++)
                {
                    bool[] flags = Flags(random, length, pattern);
                    int expected = 0;
                    for (int t = 0; t < Math.Min(length, 16); t++)
                    {
                        expected |= flags[t] ? 1 << t : 0;
                    }

                    Assert.Equal(expected, RuntimeMaskBits.Bits(flags));
                }
            }
        }

        [Theory]
        [InlineData(16)] // the one-compare path
        [InlineData(15)] // a block cut short by Nk: the loop
        [InlineData(1)]
        [InlineData(17)]
        public void Bits_NonCanonicalTrueBytes_CountAsTrue(int length)
        {
            byte[] truthy = { 1, 2, 0x7F, 0x80, 0xFF };
            var random = new Random(1703 + length);
            for (int trial = 0; trial < 200; trial++)
            {
                byte[] bytes = new byte[length];
                int expected = 0;
                for (int t = 0; t < length; t++)
                {
                    if (random.Next(2) == 0)
                    {
                        bytes[t] = truthy[random.Next(truthy.Length)];
                        expected |= t < 16 ? 1 << t : 0;
                    }
                }

                Assert.Equal(expected, RuntimeMaskBits.Bits(AsBools(bytes)));
            }
        }

        [Fact]
        public void Apply_RandomMasksAndOffsets_HidesWhatEitherMaskHides_AndReportsIt()
        {
            var random = new Random(1704);
            for (int trial = 0; trial < 5_000; trial++)
            {
                int length = random.Next(0, 40);
                int first = random.Next(0, 20);
                int maskLength = first + length + random.Next(0, 3);
                bool[]? keyMask = random.Next(4) == 0 ? null : Flags(random, maskLength, random.Next(6));
                bool[]? rowMask = random.Next(4) == 0 ? null : Flags(random, maskLength, random.Next(6));
                float[] before = Enumerable.Range(0, length)
                    .Select(_ => random.Next(6) == 0 ? float.NegativeInfinity : (float)(random.NextDouble() * 20 - 10)).ToArray();
                float[] after = (float[])before.Clone();

                bool hidden = RuntimeMaskBits.Apply(after, keyMask, rowMask, first);

                bool anyHidden = false;
                for (int t = 0; t < length; t++)
                {
                    // An already -inf score that a mask hides still counts as hidden.
                    bool keep = (keyMask is null || keyMask[first + t]) && (rowMask is null || rowMask[first + t]);
                    anyHidden |= !keep;
                    float expected = keep ? before[t] : float.NegativeInfinity;
                    if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(after[t]))
                    {
                        Assert.Fail($"trial {trial}: score {t} (key {first + t}) is {after[t]}, expected {expected}");
                    }
                }

                Assert.True(anyHidden == hidden, $"trial {trial}: returned {hidden}, expected {anyHidden}");
            }
        }

        [Fact]
        public void Apply_BothMasksAbsent_ChangesNothing_AndReturnsFalse()
        {
            float[] scores = { 1f, float.NegativeInfinity, -0f, float.NaN };

            Assert.False(RuntimeMaskBits.Apply(scores, ReadOnlySpan<bool>.Empty, ReadOnlySpan<bool>.Empty, first: 7));
            Assert.Equal(new[] { 1f, float.NegativeInfinity, -0f, float.NaN }, scores);
            Assert.False(RuntimeMaskBits.Apply(Span<float>.Empty, new bool[3], new bool[3], first: 3));
        }

        [Fact]
        public void Apply_MaskShorterThanTheScores_Throws()
        {
            float[] scores = new float[8];

            Assert.Throws<ArgumentOutOfRangeException>(() => RuntimeMaskBits.Apply(scores, new bool[9], ReadOnlySpan<bool>.Empty, first: 2));
            Assert.Throws<ArgumentOutOfRangeException>(() => RuntimeMaskBits.Apply(scores, ReadOnlySpan<bool>.Empty, new bool[9], first: 2));
        }

        [Fact]
        public void NonCanonicalTrueBytes_AreKeptByEveryEntryPoint()
        {
            // The tile path reads masks through Bits, the row path through Keeps, Apply and AllDropped: a user buffer of
            // bytes cast to bool must mean the same on both, whatever non-zero byte stands for true.
            foreach (byte truthy in new byte[] { 1, 2, 0x80, 0xFF })
            {
                byte[] keyBytes = Enumerable.Repeat(truthy, 20).ToArray();
                byte[] rowBytes = Enumerable.Repeat(truthy, 20).ToArray();
                float[] scores = Enumerable.Range(0, 17).Select(t => (float)t).ToArray();

                Assert.False(RuntimeMaskBits.AllDropped(AsBools(keyBytes), 0, 20));
                Assert.True(RuntimeMaskBits.Keeps(AsBools(keyBytes), AsBools(rowBytes), 5));
                Assert.False(RuntimeMaskBits.Apply(scores, AsBools(keyBytes), AsBools(rowBytes), first: 3));
                Assert.Equal(Enumerable.Range(0, 17).Select(t => (float)t), scores);
                Assert.Equal(0xFFFF, RuntimeMaskBits.Bits(AsBools(keyBytes).Slice(2, 16)));
            }
        }
    }
}
