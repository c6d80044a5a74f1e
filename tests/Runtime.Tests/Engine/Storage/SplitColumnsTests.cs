using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The decode paths' split loads (<see cref="SplitColumns"/>): every bf16 bit pattern and every finite f16 one, in
    /// every lane, even and odd, widened exactly (f16 as 2^-112 times its value, which times 2^112 is the value: subnormal
    /// halves included); the deinterleave and interleave inverse to each other; the query row's overflow test.
    /// </summary>
    public sealed class SplitColumnsTests
    {
        /// <summary>A fact reported as skipped, not passed, where the split loads do not run (no AVX2).</summary>
        private sealed class Avx2FactAttribute : FactAttribute
        {
            public Avx2FactAttribute()
            {
                if (!Avx2.IsSupported)
                {
                    Skip = "The split loads run only with AVX2.";
                }
            }
        }

        /// <summary>A theory reported as skipped where the split loads do not run (no AVX2).</summary>
        private sealed class Avx2TheoryAttribute : TheoryAttribute
        {
            public Avx2TheoryAttribute()
            {
                if (!Avx2.IsSupported)
                {
                    Skip = "The split loads run only with AVX2.";
                }
            }
        }

        [Avx2Fact]
        public void Load_EveryBFloat16Pattern_EveryLane_IsTheExactWidening()
        {
            ushort[] bits = new ushort[16];
            for (int block = 0; block < 2 * 65536; block += 16)
            {
                // Every pattern twice: once in an even column, once in an odd one (the shuffle keeps a lane's parity, so
                // the second pass shifts it by one).
                int start = block % 65536, shift = block / 65536;
                for (int lane = 0; lane < 16; lane++)
                {
                    bits[lane] = (ushort)(start + ((lane + shift) * 4099 % 16));
                }

                SplitColumns.Load(ref Unsafe.As<ushort, BFloat16>(ref bits[0]), out Vector256<float> even, out Vector256<float> odd);
                for (int column = 0; column < 16; column++)
                {
                    float actual = column % 2 == 0 ? even[column / 2] : odd[column / 2];
                    float expected = (float)BFloat16.FromBits(bits[column]);
                    Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual),
                        $"bf16 0x{bits[column]:X4} in column {column}: 0x{BitConverter.SingleToUInt32Bits(actual):X8}, expected 0x{BitConverter.SingleToUInt32Bits(expected):X8}");
                }
            }
        }

        [Avx2Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void Load_EveryFiniteHalfPattern_EveryLane_TimesTwoTo112_IsTheExactWidening(bool byShifts)
        {
            ushort[] bits = new ushort[16];
            int checkedPatterns = 0, checkedEven = 0;
            for (int block = 0; block < 2 * 65536; block += 16)
            {
                int start = block % 65536, shift = block / 65536; // the second pass puts each pattern in a column of the other parity
                for (int lane = 0; lane < 16; lane++)
                {
                    int pattern = start + ((lane + shift) * 4099 % 16);
                    bits[lane] = (pattern & 0x7C00) == 0x7C00 ? (ushort)0x3C00 : (ushort)pattern; // infinities and NaNs: not finite, not split
                }

                Vector256<float> even, odd;
                if (byShifts)
                {
                    SplitColumns.LoadByShifts(ref Unsafe.As<ushort, FiniteHalf>(ref bits[0]), out even, out odd);
                }
                else
                {
                    SplitColumns.Load(ref Unsafe.As<ushort, FiniteHalf>(ref bits[0]), out even, out odd);
                }

                for (int column = 0; column < 16; column++)
                {
                    float actual = (column % 2 == 0 ? even[column / 2] : odd[column / 2]) * SplitColumns.FiniteHalfScale;
                    float expected = (float)BitConverter.UInt16BitsToHalf(bits[column]);
                    Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual),
                        $"f16 0x{bits[column]:X4} in column {column}: 0x{BitConverter.SingleToUInt32Bits(actual):X8}, expected 0x{BitConverter.SingleToUInt32Bits(expected):X8}");
                    bool genuine = bits[column] == start + ((column + shift) * 4099 % 16); // a pattern, not a substitute for a non-finite one
                    checkedPatterns += genuine ? 1 : 0;
                    checkedEven += genuine && column % 2 == 0 ? 1 : 0;
                }
            }

            Assert.Equal(2 * (65536 - 2048), checkedPatterns); // every finite f16 pattern (2048 have exponent 31) met twice
            Assert.Equal(65536 - 2048, checkedEven); // once in an even column
        }

        [Avx2Fact]
        public void Deinterleave_SplitsEvenAndOddColumns_AndInterleaveUndoesIt()
        {
            Vector256<float> low = Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7), high = Vector256.Create(8f, 9, 10, 11, 12, 13, 14, 15);
            (Vector256<float> even, Vector256<float> odd) = SplitColumns.Deinterleave(low, high);
            Assert.Equal(Vector256.Create(0f, 2, 4, 6, 8, 10, 12, 14), even);
            Assert.Equal(Vector256.Create(1f, 3, 5, 7, 9, 11, 13, 15), odd);
            Assert.Equal((low, high), SplitColumns.Interleave(even, odd));
        }

        [Avx2Theory]
        [InlineData(16, 65535.996f, true)]
        [InlineData(16, 65536f, false)]
        [InlineData(61, -65536f, false)]
        [InlineData(61, float.NaN, false)]
        [InlineData(64, float.PositiveInfinity, false)]
        [InlineData(64, 1e-40f, true)]
        public void DeinterleaveRow_FiniteHalf_ScalesBy2To112_AndRefusesWhatOverflows(int d, float element, bool expected)
        {
            float[] row = new float[d], split = new float[d];
            for (int c = 0; c < d; c++)
            {
                row[c] = c - 20.5f;
            }

            row[9] = element;
            Assert.Equal(expected, SplitColumns.DeinterleaveRow<FiniteHalf>(ref row[0], ref split[0], d));
            if (expected)
            {
                for (int c = 0; c < d / 16 * 16; c++)
                {
                    int block = c / 16 * 16, within = c % 16;
                    int source = block + (within < 8 ? 2 * within : 2 * (within - 8) + 1);
                    Assert.Equal(row[source] * SplitColumns.FiniteHalfScale, split[c]);
                }
            }

            Assert.True(SplitColumns.DeinterleaveRow<BFloat16>(ref row[0], ref split[0], d)); // bf16 needs no scaling: never refused
        }
    }
}
