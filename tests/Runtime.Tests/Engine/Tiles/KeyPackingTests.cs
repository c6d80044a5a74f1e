using System;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// <see cref="KeyPacking"/> against its layout written out here: packed[b 16 d + c 16 + t] = key[(16 b + t) d + c] for
    /// every key, +0 for the padding lanes of the last block however stale the buffer was, nothing written past the packed
    /// length, and a short buffer refused before any write.
    /// </summary>
    public sealed class KeyPackingTests
    {
        /// <summary>A value no packing writes (a NaN with a payload), to see which floats were written.</summary>
        private static readonly float Stale = BitConverter.Int32BitsToSingle(0x7FC0_1234);

        [Fact]
        public void Constants_AreTheDocumentedOnes()
        {
            Assert.Equal(16, KeyPacking.PackedBlockKeys);
            Assert.Equal(1L << 26, KeyPacking.MaxPackedLength);
        }

        [Theory]
        [InlineData(0, 8, 0L)]
        [InlineData(1, 8, 128L)]
        [InlineData(15, 8, 128L)]
        [InlineData(16, 8, 128L)]
        [InlineData(17, 8, 256L)]
        [InlineData(31, 1, 32L)]
        [InlineData(32, 1, 32L)]
        [InlineData(33, 1, 48L)]
        [InlineData(33, 3, 144L)]
        [InlineData(int.MaxValue, 256, 549_755_813_888L)] // 2^27 blocks of 16 keys x 256: past int.MaxValue
        [InlineData(int.MaxValue, 1, 2_147_483_648L)] // one more than int.MaxValue: the rounding itself needs a long
        public void PackedLength_RoundsKeysUpToWholeBlocks_InALong(int keyCount, int headDimension, long expected) =>
            Assert.Equal(expected, KeyPacking.PackedLength(keyCount, headDimension));

        [Fact]
        public void PackedLength_IsWholeBlocksTimesHeadDimension_ForEveryCount()
        {
            for (int keyCount = 0; keyCount <= 100; keyCount++)
            {
                for (int headDimension = 1; headDimension <= 9; headDimension++)
                {
                    long blocks = (keyCount + 15) / 16;
                    Assert.Equal(blocks * 16 * headDimension, KeyPacking.PackedLength(keyCount, headDimension));
                }
            }
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(15)]
        [InlineData(16)]
        [InlineData(17)]
        [InlineData(31)]
        [InlineData(32)]
        [InlineData(33)]
        [InlineData(49)]
        public void PackTransposed_KeyCountsAroundTheBlock_MatchTheLayout(int keyCount)
        {
            var random = new Random(1800 + keyCount);
            foreach (int headDimension in new[] { 1, 2, 3, 7, 8, 16, 64, 65 })
            {
                AssertPacked(random, keyCount, headDimension, slack: 5);
            }
        }

        [Fact]
        public void PackTransposed_RandomShapes_MatchTheLayout()
        {
            var random = new Random(1801);
            for (int trial = 0; trial < 300; trial++)
            {
                AssertPacked(random, random.Next(0, 120), random.Next(1, 90), slack: random.Next(0, 40));
            }
        }

        [Fact]
        public void PackTransposed_ShortBuffer_ThrowsNamingPacked_AndWritesNothing()
        {
            const int keyCount = 17, headDimension = 3; // two blocks: 96 floats
            float[] key = new float[keyCount * headDimension];
            key.AsSpan().Fill(1f);
            foreach (int length in new[] { 0, 1, 48, 95 })
            {
                float[] packed = new float[length];
                packed.AsSpan().Fill(Stale);

                var error = Assert.Throws<ArgumentException>(() => KeyPacking.PackTransposed(key, headDimension, packed));

                Assert.Equal("packed", error.ParamName);
                Assert.Contains("96", error.Message);
                Assert.All(packed, value => Assert.Equal(BitConverter.SingleToInt32Bits(Stale), BitConverter.SingleToInt32Bits(value)));
            }
        }

        [Fact]
        public void PackTransposed_NoKeys_NeedsNoBuffer()
        {
            KeyPacking.PackTransposed(ReadOnlySpan<float>.Empty, 8, Span<float>.Empty);
        }

        /// <summary>Packs random keys (special values among them) into a stale buffer and checks every float of it.</summary>
        private static void AssertPacked(Random random, int keyCount, int headDimension, int slack)
        {
            float[] special = { -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon };
            float[] key = new float[keyCount * headDimension];
            for (int i = 0; i < key.Length; i++)
            {
                key[i] = random.Next(8) == 0 ? special[random.Next(special.Length)] : (float)(random.NextDouble() * 8 - 4);
            }

            int length = (keyCount + 15) / 16 * 16 * headDimension;
            float[] packed = new float[length + slack];
            packed.AsSpan().Fill(Stale);

            KeyPacking.PackTransposed(key, headDimension, packed);

            for (int index = 0; index < packed.Length; index++)
            {
                float expected;
                if (index >= length)
                {
                    expected = Stale; // past the packed length: untouched
                }
                else
                {
                    int block = index / (16 * headDimension), column = index % (16 * headDimension) / 16, lane = index % 16;
                    int keyIndex = block * 16 + lane;
                    expected = keyIndex < keyCount ? key[keyIndex * headDimension + column] : 0f;
                }

                if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(packed[index]))
                {
                    Assert.Fail($"{keyCount} keys of {headDimension}: packed[{index}] is {packed[index]}, expected {expected}");
                }
            }
        }
    }
}
