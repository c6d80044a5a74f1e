using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    public sealed class BFloat16Tests
    {
        private static BFloat16 Of(uint floatBits) => (BFloat16)BitConverter.UInt32BitsToSingle(floatBits);

        [Fact]
        public void IsTwoBytes()
        {
            Assert.Equal(2, Unsafe.SizeOf<BFloat16>());
            Assert.Equal(2, Marshal.SizeOf<BFloat16>());
        }

        [Fact]
        public void EveryBitPattern_WidensExactly_AndNarrowsBackToItself_ExceptThatSignalingNaNsComeBackQuiet()
        {
            for (int pattern = 0; pattern < 65536; pattern++)
            {
                BFloat16 value = BFloat16.FromBits((ushort)pattern);
                Assert.Equal(pattern, value.Bits);
                float widened = (float)value;
                Assert.Equal((uint)pattern << 16, BitConverter.SingleToUInt32Bits(widened));
                int expected = float.IsNaN(widened) ? pattern | 0x0040 : pattern;
                Assert.Equal(expected, ((BFloat16)widened).Bits);
            }
        }

        [Theory]
        [InlineData(0x00000000u, 0x0000)]
        [InlineData(0x80000000u, 0x8000)]
        [InlineData(0x3F800000u, 0x3F80)] // 1
        [InlineData(0x3F808000u, 0x3F80)] // tie, kept part even: down
        [InlineData(0x3F818000u, 0x3F82)] // tie, kept part odd: up
        [InlineData(0x3F808001u, 0x3F81)] // above the tie
        [InlineData(0x3F807FFFu, 0x3F80)] // below the tie
        [InlineData(0xBF818000u, 0xBF82)] // negative ties round the magnitude
        [InlineData(0x3F80FFFFu, 0x3F81)]
        [InlineData(0x3FFFFFFFu, 0x4000)] // the carry reaches the exponent
        [InlineData(0x7F7F7FFFu, 0x7F7F)] // largest that stays finite
        [InlineData(0x7F7F8000u, 0x7F80)] // tie at the top, odd: overflows to infinity
        [InlineData(0x7F7FFFFFu, 0x7F80)] // float.MaxValue
        [InlineData(0xFF7FFFFFu, 0xFF80)] // float.MinValue
        [InlineData(0x7F800000u, 0x7F80)]
        [InlineData(0xFF800000u, 0xFF80)]
        [InlineData(0x7F800001u, 0x7FC0)] // payload only in the dropped bits: NaN, never infinity
        [InlineData(0xFF80FFFFu, 0xFFC0)] // would round up into the exponent; stays a negative NaN
        [InlineData(0x7FC00000u, 0x7FC0)]
        [InlineData(0x7F810000u, 0x7FC1)] // signaling NaN made quiet, payload kept
        [InlineData(0x7FFFFFFFu, 0x7FFF)]
        [InlineData(0x00008000u, 0x0000)] // subnormal tie: even is zero
        [InlineData(0x00018000u, 0x0002)]
        [InlineData(0x807FFFFFu, 0x8080)] // greatest subnormal rounds up to the least negative normal
        public void Narrowing_KnownValues(uint input, int expected) => Assert.Equal(expected, Of(input).Bits);

        [Fact]
        public void Equality_IsIeee_ForOperators_AndLikeFloatEquals_ForEquals()
        {
            BFloat16 nan = Of(0x7FC00000u);
            BFloat16 otherNaN = BFloat16.FromBits(0xFFC1);
            BFloat16 zero = BFloat16.FromBits(0x0000);
            BFloat16 negativeZero = BFloat16.FromBits(0x8000);
            BFloat16 one = (BFloat16)1f;

#pragma warning disable CS1718 // comparing a variable with itself is the point
            Assert.False(nan == nan);
            Assert.True(nan != nan);
#pragma warning restore CS1718
            Assert.True(zero == negativeZero);
            Assert.False(zero != negativeZero);
            Assert.True(one == (BFloat16)1f);
            Assert.False(one == zero);

            Assert.True(nan.Equals(otherNaN));
            Assert.True(nan.Equals((object)otherNaN));
            Assert.Equal(nan.GetHashCode(), otherNaN.GetHashCode());
            Assert.True(zero.Equals(negativeZero));
            Assert.Equal(zero.GetHashCode(), negativeZero.GetHashCode());
            Assert.False(one.Equals(zero));
            Assert.False(one.Equals((object)1f));

            var set = new HashSet<BFloat16> { nan, otherNaN, zero, negativeZero, one };
            Assert.Equal(3, set.Count);
        }

        [Fact]
        public void CompareTo_OrdersLikeFloat()
        {
            BFloat16 nan = Of(0x7FC00000u);
            BFloat16[] values = [(BFloat16)2f, nan, (BFloat16)float.NegativeInfinity, (BFloat16)(-0f), (BFloat16)(-3f), (BFloat16)0.5f];
            Array.Sort(values);
            Assert.Equal(
                new[] { float.NaN, float.NegativeInfinity, -3f, -0f, 0.5f, 2f },
                Array.ConvertAll(values, value => (float)value));
            Assert.Equal(0, ((BFloat16)0f).CompareTo((BFloat16)(-0f)));
            Assert.Equal(0, nan.CompareTo(BFloat16.FromBits(0xFFC1)));
            Assert.True(nan.CompareTo((BFloat16)float.NegativeInfinity) < 0);
        }

        [Fact]
        public void SpanViews_ShareMemory_BothWays()
        {
            ushort[] bits = [0x3F80, 0xC000, 0x7F80];
            Span<BFloat16> values = BFloat16.FromBits(bits.AsSpan());
            ReadOnlySpan<BFloat16> readOnlyValues = BFloat16.FromBits((ReadOnlySpan<ushort>)bits);
            Assert.Equal(3, values.Length);
            Assert.Equal(1f, (float)values[0]);
            Assert.Equal(-2f, (float)readOnlyValues[1]);
            values[2] = (BFloat16)0.5f;
            Assert.Equal(0x3F00, bits[2]);

            Span<ushort> back = BFloat16.AsBits(values);
            back[0] = 0x4040;
            Assert.Equal(3f, (float)values[0]);
            Assert.Equal(0x4040, BFloat16.AsBits((ReadOnlySpan<BFloat16>)values)[0]);
            Assert.True(Unsafe.AreSame(ref bits[0], ref back[0]));
        }

        [Fact]
        public void ToString_WritesTheExactFloat()
        {
            Assert.Equal("1.5", ((BFloat16)1.5f).ToString(CultureInfo.InvariantCulture));
            Assert.Equal("0.100097656", ((BFloat16)0.1f).ToString(CultureInfo.InvariantCulture));
            Assert.Equal("-Infinity", ((BFloat16)float.NegativeInfinity).ToString(CultureInfo.InvariantCulture));
            Assert.Equal("NaN", ((BFloat16)float.NaN).ToString(CultureInfo.InvariantCulture));
            Assert.Equal("1,5", ((BFloat16)1.5f).ToString(CultureInfo.GetCultureInfo("de-DE")));
            Assert.Equal(((float)(BFloat16)3.25f).ToString(), ((BFloat16)3.25f).ToString());
        }
    }
}
