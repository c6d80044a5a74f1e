using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KernelGen.Tests;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// Q8_0.Quantize and Dequantize against the scalar transcription of ggml's reference (<see cref="GgmlQ8_0"/>), byte
    /// for byte, on whichever vector path this process takes (CI reruns these with AVX-512, AVX2 and all hardware
    /// intrinsics disabled, so each path meets the same bytes).
    /// </summary>
    public sealed class Q8_0Tests
    {
        private static byte[] Quantized(float[] source)
        {
            var blocks = new BlockQ8_0[source.Length / 32];
            Q8_0.Quantize(source, blocks);
            return MemoryMarshal.AsBytes(blocks.AsSpan()).ToArray();
        }

        private static void AssertAsGgml(float[] source)
        {
            byte[] expected = GgmlQ8_0.Quantize(source), actual = Quantized(source);
            for (int i = 0; i < expected.Length; i++)
            {
                if (expected[i] != actual[i])
                {
                    int block = i / GgmlQ8_0.BlockBytes, offset = i % GgmlQ8_0.BlockBytes;
                    Assert.Fail($"Block {block}, byte {offset} ({(offset < 2 ? "scale" : $"q[{offset - 2}] from {source[block * 32 + offset - 2]:R}")}): ggml {expected[i]:X2}, Q8_0 {actual[i]:X2}; path {Path}.");
                }
            }

            Assert.Equal(expected.Length, actual.Length);
        }

        private static string Path =>
            Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";

        private static float[] Block(params float[] head)
        {
            float[] block = new float[32];
            head.CopyTo(block, 0);
            return block;
        }

        [Theory]
        [InlineData(1, 1f)]
        [InlineData(2, 1000f)]
        [InlineData(3, 1e-3f)]
        [InlineData(4, 3e38f)]
        public void RandomData_MatchesGgmlBitForBit(int seed, float bound)
        {
            AssertAsGgml(TestData.Uniform(seed, 32 * 257, bound));
        }

        [Fact]
        public void BlocksOfEveryMagnitude_MatchGgmlBitForBit()
        {
            // Each block's values scaled by its own power of two, from far below float's normal range to near its top,
            // and each value's low bits random, so ties and near-ties of x * id occur everywhere.
            var random = new Random(11);
            float[] source = new float[32 * 300];
            for (int b = 0; b < 300; b++)
            {
                float scale = MathF.ScaleB(1f, random.Next(-149, 128));
                for (int j = 0; j < 32; j++)
                {
                    source[b * 32 + j] = (float)(random.NextDouble() * 2 - 1) * scale;
                }
            }

            AssertAsGgml(source);
        }

        [Fact]
        public void Ties_RoundHalfAwayFromZero()
        {
            // amax 127 makes d = 1 and id = 1, so x * id = x: halves are exact ties.
            float[] unit = Block(127f, 0.5f, -0.5f, 1.5f, -2.5f, 2.5f, 126.5f, -126.5f, 0.49999997f, -0.49999997f, 3.5000002f);
            AssertAsGgml(unit);
            var blocks = new BlockQ8_0[1];
            Q8_0.Quantize(unit, blocks);
            Assert.Equal((Half)1f, blocks[0].Scale);
            Assert.Equal(new sbyte[] { 127, 1, -1, 2, -3, 3, 127, -127, 0, 0, 4 }, blocks[0].Values[..11].ToArray());

            // amax 254 makes d = 2 and id = 0.5: odd integers scale to ties.
            float[] twos = Block(-254f, 5f, -3f, 1f, -1f, 253f);
            AssertAsGgml(twos);
            Q8_0.Quantize(twos, blocks);
            Assert.Equal(new sbyte[] { -127, 3, -2, 1, -1, 127 }, blocks[0].Values[..6].ToArray());
        }

        [Fact]
        public void ZeroBlocks_GiveZeroScaleAndValues()
        {
            float[] zeros = new float[64];
            zeros.AsSpan(32).Fill(-0f);
            AssertAsGgml(zeros);
            var blocks = new BlockQ8_0[2];
            blocks.AsSpan().Fill(new BlockQ8_0(Half.One, new sbyte[32] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }));
            Q8_0.Quantize(zeros, blocks);
            Assert.All(MemoryMarshal.AsBytes(blocks.AsSpan()).ToArray(), static b => Assert.Equal(0, b));
        }

        [Fact]
        public void SubnormalAndTinyBlocks_MatchGgml()
        {
            float epsilon = float.Epsilon, smallestNormal = BitConverter.Int32BitsToSingle(0x00800000);
            AssertAsGgml([
                // every value subnormal: d underflows to 0 (id 0) or is so small that 1 / d is infinite
                .. Block(epsilon, -epsilon, 3 * epsilon),
                .. Block(BitConverter.Int32BitsToSingle(0x007FFFFF), -BitConverter.Int32BitsToSingle(0x00400001), epsilon),
                // d subnormal with a finite id: amax just above 127 x 2^-128
                .. Block(MathF.ScaleB(127f, -128), -MathF.ScaleB(63.5f, -128), MathF.ScaleB(1f, -130)),
                .. Block(MathF.ScaleB(127f, -127), MathF.ScaleB(-0.5f, -127), MathF.ScaleB(1.5f, -127)),
                // just below that: 1 / d overflows, the scalar rule's x86 conversion applies
                .. Block(MathF.ScaleB(126.9f, -128), MathF.ScaleB(-100f, -128), MathF.ScaleB(0.5f, -128)),
                // a normal amax with subnormal neighbours
                .. Block(smallestNormal, epsilon, -smallestNormal / 2, smallestNormal * 127),
            ]);
        }

        [Fact]
        public void HugeValues_MatchGgml()
        {
            AssertAsGgml([
                .. Block(float.MaxValue, -float.MaxValue, float.MaxValue / 254, 1f, -3e38f),
                .. Block(-float.MaxValue, BitConverter.Int32BitsToSingle(0x7F7FFFFE), 1e38f, -1e-38f),
            ]);
        }

        [Fact]
        public void NonFiniteBlocks_AreWhatGgmlsReferenceGivesOnX86()
        {
            float nan = float.NaN, inf = float.PositiveInfinity;
            float[] source = [
                .. Block(1f, inf, -2f),          // amax inf: id 0, q 0 everywhere (inf x 0 is NaN, converted to 0)
                .. Block(-inf, inf),
                .. Block(5f, nan, 1f, -1f),      // MAX restarts after the NaN: amax 1, so 5 x 127 = 635 wraps to 123
                .. Block(1f, 2f, 3f),            // a NaN last: amax NaN, d NaN, every q 0
            ];
            source[4 * 32 - 1] = nan;
            source[2 * 32 + 31] = 0.5f;           // still below the 1 after the NaN
            AssertAsGgml(source);

            var blocks = new BlockQ8_0[4];
            Q8_0.Quantize(source, blocks);
            Assert.Equal(Half.PositiveInfinity, blocks[0].Scale);
            Assert.All(blocks[0].Values.ToArray(), static q => Assert.Equal(0, q));
            Assert.Equal((sbyte)unchecked((byte)(635 & 0xFF)), blocks[2][0]);
            Assert.Equal(0, blocks[2][1]);
            Assert.Equal((ushort)0x7E00, BitConverter.HalfToUInt16Bits(blocks[3].Scale));
            Assert.All(blocks[3].Values.ToArray(), static q => Assert.Equal(0, q));

            // Finite blocks beside them still take the vector path and agree.
            float[] mixed = [.. TestData.Uniform(5, 64, 3f), .. Block(nan, 1f), .. TestData.Uniform(6, 64, 3f)];
            AssertAsGgml(mixed);
        }

        [Fact]
        public void ScaleConversion_IsGgmlsFp32ToFp16()
        {
            var random = new Random(12);
            for (int i = 0; i < 1 << 20; i++)
            {
                float f = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
                Assert.Equal(GgmlQ8_0.Fp32ToFp16(f), BitConverter.HalfToUInt16Bits(Q8_0.ToHalf(f)));
            }

            // Ties at every half exponent, both sides of half's range, zeros, infinities and NaNs.
            foreach (float f in new[] { 0f, -0f, 65504f, 65519.996f, 65520f, float.MaxValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
                BitConverter.Int32BitsToSingle(0x7FC12345), MathF.ScaleB(1f, -24), MathF.ScaleB(1f, -25), MathF.ScaleB(1.5f, -25), MathF.ScaleB(3f, -26) })
            {
                Assert.Equal(GgmlQ8_0.Fp32ToFp16(f), BitConverter.HalfToUInt16Bits(Q8_0.ToHalf(f)));
            }

            for (int e = -26; e < 17; e++)
            {
                for (int m = 0; m < 64; m++)
                {
                    float tie = MathF.ScaleB(1f + (2 * m + 1) / 2048f, e); // halfway between two halves' significands
                    Assert.Equal(GgmlQ8_0.Fp32ToFp16(tie), BitConverter.HalfToUInt16Bits(Q8_0.ToHalf(tie)));
                    Assert.Equal(GgmlQ8_0.Fp32ToFp16(-tie), BitConverter.HalfToUInt16Bits(Q8_0.ToHalf(-tie)));
                }
            }
        }

        [Fact]
        public void Dequantize_IsGgmlsProductBitForBit()
        {
            // Every non-NaN scale, each with random values (and the extremes -128 and 127).
            var random = new Random(13);
            var blocks = new BlockQ8_0[0x10000];
            sbyte[] values = new sbyte[32];
            int count = 0;
            for (int bits = 0; bits < 0x10000; bits++)
            {
                Half scale = BitConverter.UInt16BitsToHalf((ushort)bits);
                if (Half.IsNaN(scale))
                {
                    continue;
                }

                random.NextBytes(MemoryMarshal.AsBytes(values.AsSpan()));
                values[0] = -128;
                values[1] = 127;
                blocks[count++] = new BlockQ8_0(scale, values);
            }

            ReadOnlySpan<BlockQ8_0> source = blocks.AsSpan(0, count);
            float[] actual = TestData.Poisoned(count * 32);
            Q8_0.Dequantize(source, actual);
            float[] expected = GgmlQ8_0.Dequantize(MemoryMarshal.AsBytes(source));
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
            }
        }

        [Fact]
        public void QuantizeThenDequantize_IsWithinHalfAStepOfTheInput()
        {
            float[] source = TestData.Uniform(14, 32 * 64, 4f), roundTrip = new float[source.Length];
            var blocks = new BlockQ8_0[64];
            Q8_0.Quantize(source, blocks);
            Q8_0.Dequantize(blocks, roundTrip);
            for (int i = 0; i < source.Length; i++)
            {
                // half a step of the stored scale, plus the scale's own half rounding times at most 127 steps
                float scale = (float)blocks[i / 32].Scale;
                Assert.True(Math.Abs(roundTrip[i] - source[i]) <= scale * 0.5f + 127f * scale * 0.0005f, $"value {i}");
            }
        }

        [Fact]
        public void EmptySpans_AreAccepted()
        {
            Q8_0.Quantize(ReadOnlySpan<float>.Empty, Span<BlockQ8_0>.Empty);
            Q8_0.Dequantize(ReadOnlySpan<BlockQ8_0>.Empty, Span<float>.Empty);
        }

        [Theory]
        [InlineData(33, 1, "source")]
        [InlineData(31, 1, "source")]
        [InlineData(64, 1, "destination")]
        [InlineData(64, 3, "destination")]
        [InlineData(32, 0, "destination")]
        public void Quantize_BadLengths_ThrowNamingTheParameterBeforeWriting(int values, int blocks, string parameter)
        {
            float[] source = TestData.Uniform(15, values, 2f);
            BlockQ8_0[] destination = new BlockQ8_0[blocks];
            var exception = Assert.Throws<ArgumentException>(() => Q8_0.Quantize(source, destination));
            Assert.Equal(parameter, exception.ParamName);
            Assert.All(MemoryMarshal.AsBytes(destination.AsSpan()).ToArray(), static b => Assert.Equal(0, b));
        }

        [Theory]
        [InlineData(2, 63)]
        [InlineData(2, 65)]
        [InlineData(0, 1)]
        public void Dequantize_BadLengths_ThrowNamingTheDestinationBeforeWriting(int blocks, int values)
        {
            BlockQ8_0[] source = new BlockQ8_0[blocks];
            float[] destination = TestData.Poisoned(values);
            var exception = Assert.Throws<ArgumentException>(() => Q8_0.Dequantize(source, destination));
            Assert.Equal("destination", exception.ParamName);
            Assert.All(destination, static v => Assert.True(float.IsNaN(v)));
        }

        [Fact]
        public void OverlappingSpans_AreRefusedBeforeWriting()
        {
            // Two blocks written over the bytes of 64 floats, starting one block in.
            byte[] memory = new byte[256];
            new Random(16).NextBytes(memory);
            byte[] before = (byte[])memory.Clone();

            var quantize = Assert.Throws<ArgumentException>(() => Q8_0.Quantize(MemoryMarshal.Cast<byte, float>(memory.AsSpan(0, 256)), MemoryMarshal.Cast<byte, BlockQ8_0>(memory.AsSpan(34, 68))));
            Assert.Equal("destination", quantize.ParamName);
            var dequantize = Assert.Throws<ArgumentException>(() => Q8_0.Dequantize(MemoryMarshal.Cast<byte, BlockQ8_0>(memory.AsSpan(34, 68)), MemoryMarshal.Cast<byte, float>(memory.AsSpan(0, 256))));
            Assert.Equal("destination", dequantize.ParamName);
            Assert.Equal(before, memory);
        }
    }
}
