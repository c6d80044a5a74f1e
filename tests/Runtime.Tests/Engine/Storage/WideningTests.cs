using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    public sealed class WideningTests
    {
        private static Half[] EveryHalf()
        {
            var values = new Half[65536];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BitConverter.UInt16BitsToHalf((ushort)i);
            }

            return values;
        }

        private static BFloat16[] EveryBFloat16()
        {
            var values = new BFloat16[65536];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BFloat16.FromBits((ushort)i);
            }

            return values;
        }

        private static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);

        private static void AssertBits(float expected, float actual, int pattern, string entry)
        {
            if (Bits(expected) != Bits(actual))
            {
                Assert.Fail($"{entry}: pattern 0x{pattern:X4} gave 0x{Bits(actual):X8}, expected 0x{Bits(expected):X8}");
            }
        }

        [Fact]
        public void Half_EveryBitPattern_EveryWidth_MatchesTheRuntimeConversion()
        {
            Half[] values = EveryHalf();
            for (int i = 0; i < values.Length; i += 16)
            {
                Vector512<float> wide = Widening.LoadWidened512(ref values[i]);
                Vector256<float> lower = Widening.LoadWidened256(ref values[i]);
                Vector256<float> upper = Widening.LoadWidened256(ref values[i + 8]);
                for (int lane = 0; lane < 16; lane++)
                {
                    int pattern = i + lane;
                    float expected = (float)values[pattern];
                    AssertBits(expected, Widening.Widen(values[pattern]), pattern, "scalar");
                    AssertBits(expected, wide.GetElement(lane), pattern, "Vector512");
                    AssertBits(expected, lane < 8 ? lower.GetElement(lane) : upper.GetElement(lane - 8), pattern, "Vector256");
                    AssertBits(expected, Widening.LoadWidened128(ref values[i + (lane & ~3)]).GetElement(lane & 3), pattern, "Vector128");
                }
            }
        }

        [Theory]
        [InlineData(0x0000, 0x00000000u)] // +0
        [InlineData(0x8000, 0x80000000u)] // -0
        [InlineData(0x0001, 0x33800000u)] // least subnormal, 2^-24
        [InlineData(0x83FF, 0xB87FC000u)] // greatest negative subnormal
        [InlineData(0x0400, 0x38800000u)] // least normal, 2^-14
        [InlineData(0x7BFF, 0x477FE000u)] // 65504
        [InlineData(0x7C00, 0x7F800000u)] // +inf
        [InlineData(0xFC00, 0xFF800000u)] // -inf
        [InlineData(0x7C01, 0x7FC02000u)] // signaling NaN: payload kept, made quiet
        [InlineData(0xFE01, 0xFFC02000u)] // quiet negative NaN with payload
        [InlineData(0x7FFF, 0x7FFFE000u)]
        public void Half_KnownValues(int pattern, uint expected)
        {
            Half[] value = [BitConverter.UInt16BitsToHalf((ushort)pattern), default, default, default, default, default, default, default,
                default, default, default, default, default, default, default, default];
            Assert.Equal(expected, Bits(Widening.Widen(value[0])));
            Assert.Equal(expected, Bits(Widening.LoadWidened128(ref value[0]).ToScalar()));
            Assert.Equal(expected, Bits(Widening.LoadWidened256(ref value[0]).ToScalar()));
            Assert.Equal(expected, Bits(Widening.LoadWidened512(ref value[0]).ToScalar()));
        }

        [Fact]
        public void FiniteHalf_EveryFiniteBitPattern_EveryWidth_MatchesTheRuntimeConversion()
        {
            // The 4-operation widening for f16 runs known to hold no infinity or NaN: exact on every finite pattern.
            Half[] values = EveryHalf();
            int checkedPatterns = 0;
            for (int i = 0; i < values.Length; i += 16)
            {
                if (!Widening.AllFinite(values.AsSpan(i, 16)))
                {
                    continue; // a run holding exponent 31 (0x7C00..0x7FFF, 0xFC00..0xFFFF) takes the exact path
                }

                ref FiniteHalf first = ref System.Runtime.CompilerServices.Unsafe.As<Half, FiniteHalf>(ref values[i]);
                Vector512<float> wide = Widening.LoadWidened512(ref first);
                Vector256<float> lower = Widening.LoadWidened256(ref first);
                Vector256<float> upper = Widening.LoadWidened256(ref System.Runtime.CompilerServices.Unsafe.Add(ref first, 8));
                for (int lane = 0; lane < 16; lane++)
                {
                    int pattern = i + lane;
                    float expected = (float)values[pattern];
                    ref FiniteHalf value = ref System.Runtime.CompilerServices.Unsafe.Add(ref first, lane);
                    AssertBits(expected, Widening.Widen(value), pattern, "finite scalar");
                    AssertBits(expected, wide.GetElement(lane), pattern, "finite Vector512");
                    AssertBits(expected, lane < 8 ? lower.GetElement(lane) : upper.GetElement(lane - 8), pattern, "finite Vector256");
                    AssertBits(expected, Widening.LoadWidened128(ref System.Runtime.CompilerServices.Unsafe.Add(ref first, lane & ~3)).GetElement(lane & 3), pattern, "finite Vector128");
                    checkedPatterns++;
                }
            }

            Assert.Equal(65536 - 2 * 1024, checkedPatterns); // every pattern but the 2048 with exponent 31
        }

        [Theory]
        [InlineData(0x7C00)]
        [InlineData(0xFC00)]
        [InlineData(0x7E01)]
        [InlineData(0xFFFF)]
        public void AllFinite_FindsAnInfinityOrNaN_AtEveryPosition(int pattern)
        {
            foreach (int length in new[] { 1, 7, 8, 15, 16, 17, 33, 64, 100, 200 })
            {
                for (int at = 0; at < length; at++)
                {
                    var values = new Half[length];
                    Array.Fill(values, (Half)65504f); // the largest finite magnitude: exponent 30
                    Assert.True(Widening.AllFinite(values));
                    values[at] = BitConverter.UInt16BitsToHalf((ushort)pattern);
                    Assert.False(Widening.AllFinite(values), $"length {length}, position {at}");
                }
            }
        }

        [Theory]
        [InlineData(0x7C00)]
        [InlineData(0xFC00)]
        [InlineData(0x7E01)]
        [InlineData(0xFFFF)]
        public void AllFiniteRows_FindsAnInfinityOrNaN_InEveryRowPosition_AndIgnoresTheGaps(int pattern)
        {
            // Strided rows ([B, N, H, d]): a non-finite value in any row's vector or tail columns is found, one between the
            // rows (another head's columns) or before the first is not.
            foreach ((int d, int stride, int rows) in new[] { (16, 48, 3), (61, 128, 3), (64, 64, 2), (128, 1024, 3), (7, 20, 4) })
            {
                int offset = 5, length = offset + (rows - 1) * stride + d + 9;
                for (int at = 0; at < length; at++)
                {
                    var values = new Half[length];
                    Array.Fill(values, (Half)(-65504f)); // the largest finite magnitude, negative
                    Assert.True(Widening.AllFiniteRows(values, offset, stride, rows, d));
                    values[at] = BitConverter.UInt16BitsToHalf((ushort)pattern);
                    int relative = at - offset;
                    bool inRow = relative >= 0 && relative / stride < rows && relative % stride < d;
                    Assert.True(inRow != Widening.AllFiniteRows(values, offset, stride, rows, d), $"d {d}, stride {stride}, position {at}");
                }
            }
        }

        [Fact]
        public void AllFinite_LargestFiniteMagnitudesOfBothSigns_AreFinite()
        {
            // The vector loops compare magnitudes: a sign bit left in would make -65504 (0xFBFF) look infinite.
            foreach (int length in new[] { 16, 64, 100, 200 })
            {
                Half[] values = Enumerable.Range(0, length).Select(i => (Half)(i % 3 == 0 ? -65504f : i % 3 == 1 ? 65504f : -0f)).ToArray();
                Assert.True(Widening.AllFinite(values), $"length {length}");
            }
        }

        [Fact]
        public void BFloat16_EveryBitPattern_EveryWidth_IsTheShiftedBits()
        {
            BFloat16[] values = EveryBFloat16();
            for (int i = 0; i < values.Length; i += 16)
            {
                Vector512<float> wide = Widening.LoadWidened512(ref values[i]);
                Vector256<float> lower = Widening.LoadWidened256(ref values[i]);
                Vector256<float> upper = Widening.LoadWidened256(ref values[i + 8]);
                for (int lane = 0; lane < 16; lane++)
                {
                    int pattern = i + lane;
                    float expected = BitConverter.Int32BitsToSingle(pattern << 16);
                    AssertBits(expected, Widening.Widen(values[pattern]), pattern, "scalar");
                    AssertBits(expected, (float)values[pattern], pattern, "operator");
                    AssertBits(expected, wide.GetElement(lane), pattern, "Vector512");
                    AssertBits(expected, lane < 8 ? lower.GetElement(lane) : upper.GetElement(lane - 8), pattern, "Vector256");
                    AssertBits(expected, Widening.LoadWidened128(ref values[i + (lane & ~3)]).GetElement(lane & 3), pattern, "Vector128");
                }
            }
        }

        [Fact]
        public void SpanWidening_EveryLengthUpTo70_AtEveryAlignment_MatchesScalarAndLeavesTheRestAlone()
        {
            var random = new Random(14);
            for (int length = 0; length <= 70; length++)
            {
                for (int offset = 0; offset < 3; offset++)
                {
                    var halves = new Half[length + offset];
                    var brains = new BFloat16[length + offset];
                    for (int i = 0; i < halves.Length; i++)
                    {
                        halves[i] = BitConverter.UInt16BitsToHalf((ushort)random.Next(65536));
                        brains[i] = BFloat16.FromBits((ushort)random.Next(65536));
                    }

                    float[] fromHalves = new float[length + 5];
                    float[] fromBrains = new float[length + 5];
                    fromHalves.AsSpan().Fill(42f);
                    fromBrains.AsSpan().Fill(42f);
                    Widening.Widen(halves.AsSpan(offset), fromHalves);
                    Widening.Widen(brains.AsSpan(offset), fromBrains);
                    for (int i = 0; i < length; i++)
                    {
                        Assert.Equal(Bits((float)halves[offset + i]), Bits(fromHalves[i]));
                        Assert.Equal((uint)brains[offset + i].Bits << 16, Bits(fromBrains[i]));
                    }

                    for (int i = length; i < fromHalves.Length; i++)
                    {
                        Assert.Equal(42f, fromHalves[i]);
                        Assert.Equal(42f, fromBrains[i]);
                    }
                }
            }
        }

        /// <summary>
        /// Floats that exercise every f16 rounding decision: for each pair of neighbouring f16 values (all signs and
        /// exponents, subnormals, the overflow edge) the lower one, the midpoint (a tie) and a few floats on either side
        /// of both; random bit patterns; and the specials.
        /// </summary>
        private static float[] HalfNarrowingInputs()
        {
            var inputs = new List<float>();
            for (int pattern = 0; pattern < 0x7C00; pattern++)
            {
                uint low = Bits((float)BitConverter.UInt16BitsToHalf((ushort)pattern));
                uint high = pattern == 0x7BFF ? 0x47800000u : Bits((float)BitConverter.UInt16BitsToHalf((ushort)(pattern + 1))); // 65536: the step past 65504
                uint middle = Bits((BitConverter.UInt32BitsToSingle(low) + BitConverter.UInt32BitsToSingle(high)) / 2);
                foreach (uint center in new[] { low, middle })
                {
                    for (int delta = -3; delta <= 3; delta++)
                    {
                        uint bits = (uint)(center + delta);
                        if (bits <= 0x7F800000u)
                        {
                            inputs.Add(BitConverter.UInt32BitsToSingle(bits));
                            inputs.Add(BitConverter.UInt32BitsToSingle(bits | 0x80000000u));
                        }
                    }
                }
            }

            var random = new Random(16);
            for (int i = 0; i < 1 << 20; i++)
            {
                inputs.Add(BitConverter.UInt32BitsToSingle((uint)random.NextInt64(1L << 32)));
            }

            for (int i = 0; i < 1 << 16; i++)
            {
                // The f16 range and just beyond, where most values of a cache lie.
                inputs.Add((float)(random.NextDouble() * 140000 - 70000) * (random.Next(2) == 0 ? 1f : 1e-5f));
            }

            inputs.AddRange(new[]
            {
                0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, 1e-30f, 2.9802322e-8f, 2.9802326e-8f, 5.960464e-8f,
                65504f, 65519.996f, 65520f, 65536f, 1e10f, float.MaxValue, float.MinValue,
                float.PositiveInfinity, float.NegativeInfinity, float.NaN, -float.NaN,
                BitConverter.UInt32BitsToSingle(0x7F800001u), BitConverter.UInt32BitsToSingle(0xFF800001u),
                BitConverter.UInt32BitsToSingle(0x7F802000u), BitConverter.UInt32BitsToSingle(0x7FBFFFFFu),
                BitConverter.UInt32BitsToSingle(0x7FFFFFFFu), BitConverter.UInt32BitsToSingle(0xFFC00001u),
            });
            return inputs.ToArray();
        }

        [Fact]
        public void NarrowToHalf_ManyFloats_EveryWidth_MatchesTheRuntimeConversion()
        {
            float[] inputs = HalfNarrowingInputs();
            Array.Resize(ref inputs, (inputs.Length + 15) & ~15);
            var spanResult = new Half[inputs.Length];
            Widening.Narrow(inputs, spanResult);
            for (int i = 0; i < inputs.Length; i += 16)
            {
                Vector512<int> wide = Widening.HalfBits(Vector512.Create(inputs.AsSpan(i, 16)));
                Vector256<int> lower = Widening.HalfBits(Vector256.Create(inputs.AsSpan(i, 8)));
                Vector256<int> upper = Widening.HalfBits(Vector256.Create(inputs.AsSpan(i + 8, 8)));
                for (int lane = 0; lane < 16; lane++)
                {
                    float input = inputs[i + lane];
                    ushort expected = BitConverter.HalfToUInt16Bits((Half)input);
                    void Check(int actual, string entry)
                    {
                        if (actual != expected)
                        {
                            Assert.Fail($"{entry}: 0x{Bits(input):X8} ({input:R}) gave 0x{actual:X4}, expected 0x{expected:X4}");
                        }
                    }

                    Check(Widening.HalfBits(input), "scalar");
                    Check(wide.GetElement(lane), "Vector512");
                    Check(lane < 8 ? lower.GetElement(lane) : upper.GetElement(lane - 8), "Vector256");
                    Check(Widening.HalfBits(Vector128.Create(inputs.AsSpan(i + (lane & ~3), 4))).GetElement(lane & 3), "Vector128");
                    Check(BitConverter.HalfToUInt16Bits(spanResult[i + lane]), "span");
                }
            }
        }

        [Theory]
        [InlineData(0x477FF000u, 0x7C00)] // 65520, the tie above 65504: even is infinity
        [InlineData(0x477FEFFFu, 0x7BFF)]
        [InlineData(0x7F7FFFFFu, 0x7C00)] // float.MaxValue overflows
        [InlineData(0x7F800000u, 0x7C00)]
        [InlineData(0xFF800000u, 0xFC00)]
        [InlineData(0x7F800001u, 0x7E00)] // payload below f16's bits: still NaN, quiet
        [InlineData(0x7F802000u, 0x7E01)] // top payload bits kept
        [InlineData(0xFFFFFFFFu, 0xFFFF)]
        [InlineData(0x33000000u, 0x0000)] // 2^-25, half the least subnormal: tie to even 0
        [InlineData(0x33000001u, 0x0001)]
        [InlineData(0xB3C00000u, 0x8002)] // -1.5 * 2^-24: tie to even 2
        [InlineData(0x387FF000u, 0x0400)] // rounds up to the least normal
        [InlineData(0x00000001u, 0x0000)] // float subnormal
        [InlineData(0x80000000u, 0x8000)]
        public void NarrowToHalf_KnownValues(uint input, int expected)
        {
            float[] source = new float[33];
            source.AsSpan().Fill(BitConverter.UInt32BitsToSingle(input));
            var destination = new Half[33];
            Widening.Narrow(source, destination);
            foreach (Half value in destination)
            {
                Assert.Equal(expected, BitConverter.HalfToUInt16Bits(value));
            }
        }

        /// <summary>Round to nearest even on the dropped 16 bits, written out case by case.</summary>
        private static ushort PlainBFloat16(float value)
        {
            uint bits = Bits(value);
            uint kept = bits >> 16;
            uint dropped = bits & 0xFFFF;
            if (float.IsNaN(value))
            {
                return (ushort)(kept | 0x0040);
            }

            bool up = dropped > 0x8000 || (dropped == 0x8000 && (kept & 1) == 1);
            return (ushort)(up ? kept + 1 : kept);
        }

        private static float[] BFloat16NarrowingInputs()
        {
            var inputs = new List<float>();
            uint[] lowParts = [0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF];
            for (uint upper = 0; upper < 65536; upper++)
            {
                foreach (uint low in lowParts)
                {
                    inputs.Add(BitConverter.UInt32BitsToSingle((upper << 16) | low));
                }
            }

            var random = new Random(17);
            for (int i = 0; i < 1 << 18; i++)
            {
                inputs.Add(BitConverter.UInt32BitsToSingle((uint)random.NextInt64(1L << 32)));
            }

            return inputs.ToArray();
        }

        [Fact]
        public void NarrowToBFloat16_EveryUpperPatternWithEveryKindOfLowPart_EveryWidth_IsRoundToNearestEven()
        {
            float[] inputs = BFloat16NarrowingInputs();
            Array.Resize(ref inputs, (inputs.Length + 15) & ~15);
            var spanResult = new BFloat16[inputs.Length];
            Widening.Narrow(inputs, spanResult);
            for (int i = 0; i < inputs.Length; i += 16)
            {
                Vector512<uint> wide = Widening.BFloat16Bits(Vector512.Create(inputs.AsSpan(i, 16)));
                Vector256<uint> lower = Widening.BFloat16Bits(Vector256.Create(inputs.AsSpan(i, 8)));
                Vector256<uint> upper = Widening.BFloat16Bits(Vector256.Create(inputs.AsSpan(i + 8, 8)));
                for (int lane = 0; lane < 16; lane++)
                {
                    float input = inputs[i + lane];
                    ushort expected = PlainBFloat16(input);
                    void Check(uint actual, string entry)
                    {
                        if (actual != expected)
                        {
                            Assert.Fail($"{entry}: 0x{Bits(input):X8} gave 0x{actual:X4}, expected 0x{expected:X4}");
                        }
                    }

                    Check(((BFloat16)input).Bits, "operator");
                    Check(wide.GetElement(lane), "Vector512");
                    Check(lane < 8 ? lower.GetElement(lane) : upper.GetElement(lane - 8), "Vector256");
                    Check(Widening.BFloat16Bits(Vector128.Create(inputs.AsSpan(i + (lane & ~3), 4))).GetElement(lane & 3), "Vector128");
                    Check(spanResult[i + lane].Bits, "span");
                }
            }
        }

        [Fact]
        public void SpanNarrowing_EveryLengthUpTo70_AtEveryAlignment_MatchesScalarAndLeavesTheRestAlone()
        {
            var random = new Random(15);
            for (int length = 0; length <= 70; length++)
            {
                for (int offset = 0; offset < 3; offset++)
                {
                    var source = new float[length + offset];
                    for (int i = 0; i < source.Length; i++)
                    {
                        source[i] = random.Next(4) == 0
                            ? BitConverter.UInt32BitsToSingle((uint)random.NextInt64(1L << 32))
                            : (float)(random.NextDouble() * 200 - 100);
                    }

                    var halves = new Half[length + 5];
                    var brains = new BFloat16[length + 5];
                    halves.AsSpan().Fill((Half)42f);
                    brains.AsSpan().Fill((BFloat16)42f);
                    Widening.Narrow(source.AsSpan(offset), halves);
                    Widening.Narrow(source.AsSpan(offset), brains);
                    for (int i = 0; i < length; i++)
                    {
                        float input = source[offset + i];
                        Assert.Equal(BitConverter.HalfToUInt16Bits((Half)input), BitConverter.HalfToUInt16Bits(halves[i]));
                        Assert.Equal(PlainBFloat16(input), brains[i].Bits);
                    }

                    for (int i = length; i < halves.Length; i++)
                    {
                        Assert.Equal((Half)42f, halves[i]);
                        Assert.Equal(((BFloat16)42f).Bits, brains[i].Bits);
                    }
                }
            }
        }

        [Fact]
        public void ShortDestination_ThrowsNamingIt_BeforeWritingAnything()
        {
            var floats = new float[9];
            floats.AsSpan().Fill(7f);
            var halves = new Half[8];
            var brains = new BFloat16[8];

            Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Widening.Widen(new Half[9], floats.AsSpan(0, 8))).ParamName);
            Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Widening.Widen(new BFloat16[9], floats.AsSpan(0, 8))).ParamName);
            Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Widening.Narrow(floats, halves)).ParamName);
            Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Widening.Narrow(floats, brains)).ParamName);
            Assert.All(floats, value => Assert.Equal(7f, value));
            Assert.All(halves, value => Assert.Equal(default, BitConverter.HalfToUInt16Bits(value)));
            Assert.All(brains, value => Assert.Equal(default, value.Bits));
        }
    }
}
