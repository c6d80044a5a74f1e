using System;
using System.Runtime.Intrinsics;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    public sealed class TanhOpTests
    {
        // The remarks of TanhOp report 1.47e-7 over every float in [1e-30, 100); MathF.Tanh reaches 1.64e-7.
        private const double Tolerance = 2e-7;

        [Fact]
        public void Scalar_RelativeError_IsSmall_OverLogSpacedInputs_BothSigns()
        {
            const int Count = 2_000_000;
            double logLow = Math.Log(1e-30), logHigh = Math.Log(100);
            double worst = 0;
            float worstAt = 0;
            for (int i = 0; i <= Count; i++)
            {
                float x = (float)Math.Exp(logLow + (logHigh - logLow) * i / Count);
                for (int side = 0; side < 2; side++)
                {
                    float signed = side == 0 ? x : -x;
                    double exact = Math.Tanh(signed);
                    double relative = Math.Abs(TanhOp.Invoke(signed) - exact) / Math.Abs(exact);
                    if (relative > worst)
                    {
                        worst = relative;
                        worstAt = signed;
                    }
                }
            }

            Assert.True(worst < Tolerance, $"worst relative error {worst:E3} at {worstAt:R}");
        }

        [Fact]
        public void Scalar_RelativeError_IsSmall_OnEveryFloatAroundTheThreshold()
        {
            // [0.5, 1) holds the switch from the polynomial to the exponential at 0.625 and the worst case (0.866).
            int last = BitConverter.SingleToInt32Bits(1f);
            double worst = 0;
            float worstAt = 0;
            for (int bits = BitConverter.SingleToInt32Bits(0.5f); bits < last; bits++)
            {
                float x = BitConverter.Int32BitsToSingle(bits);
                double exact = Math.Tanh(x);
                double relative = Math.Abs(TanhOp.Invoke(x) - exact) / exact;
                if (relative > worst)
                {
                    worst = relative;
                    worstAt = x;
                }
            }

            Assert.True(worst < Tolerance, $"worst relative error {worst:E3} at {worstAt:R}");
        }

        [Theory]
        [InlineData(float.PositiveInfinity, 1f)]
        [InlineData(float.NegativeInfinity, -1f)]
        [InlineData(float.MaxValue, 1f)]
        [InlineData(-float.MaxValue, -1f)]
        [InlineData(100f, 1f)]
        [InlineData(-44.5f, -1f)]
        [InlineData(9.1f, 1f)]
        [InlineData(float.Epsilon, float.Epsilon)]
        [InlineData(-float.Epsilon, -float.Epsilon)]
        [InlineData(1e-38f, 1e-38f)]
        [InlineData(-1e-20f, -1e-20f)]
        public void SpecialValues_OnEveryWidth(float x, float expected)
        {
            AssertSameBits(expected, TanhOp.Invoke(x));
            AssertSameBits(expected, TanhOp.Invoke(Vector128.Create(x)).ToScalar());
            AssertSameBits(expected, TanhOp.Invoke(Vector256.Create(x)).ToScalar());
            AssertSameBits(expected, TanhOp.Invoke(Vector512.Create(x)).ToScalar());
        }

        [Fact]
        public void SignedZeros_KeepTheirSign_OnEveryWidth()
        {
            foreach (float zero in new[] { 0f, -0f })
            {
                AssertSameBits(zero, TanhOp.Invoke(zero));
                AssertSameBits(zero, TanhOp.Invoke(Vector128.Create(zero)).ToScalar());
                AssertSameBits(zero, TanhOp.Invoke(Vector256.Create(zero)).ToScalar());
                AssertSameBits(zero, TanhOp.Invoke(Vector512.Create(zero)).ToScalar());
            }
        }

        [Fact]
        public void NaN_PropagatesOnEveryWidth()
        {
            foreach (float nan in new[] { float.NaN, -float.NaN })
            {
                Assert.True(float.IsNaN(TanhOp.Invoke(nan)));
                Assert.True(float.IsNaN(TanhOp.Invoke(Vector128.Create(nan)).ToScalar()));
                Assert.True(float.IsNaN(TanhOp.Invoke(Vector256.Create(nan)).ToScalar()));
                Assert.True(float.IsNaN(TanhOp.Invoke(Vector512.Create(nan)).ToScalar()));
            }
        }

        [Fact]
        public void IsOdd_BitForBit()
        {
            float[] inputs = Inputs(8192, seed: 5);
            foreach (float x in inputs)
            {
                AssertSameBits(-TanhOp.Invoke(x), TanhOp.Invoke(-x));
            }

            for (int i = 0; i < inputs.Length; i += 16)
            {
                Vector512<float> values = Vector512.Create(inputs.AsSpan(i, 16));
                Vector512<float> signBit = Vector512.Create(-0f);
                Assert.Equal(TanhOp.Invoke(values) ^ signBit, TanhOp.Invoke(values ^ signBit));
            }
        }

        [Fact]
        public void VectorWidths_AreBitIdenticalToScalar()
        {
            float[] inputs = Inputs(8192, seed: 3);
            for (int i = 0; i < inputs.Length; i += 16)
            {
                Vector512<float> wide = TanhOp.Invoke(Vector512.Create(inputs.AsSpan(i, 16)));
                Vector256<float> middle = TanhOp.Invoke(Vector256.Create(inputs.AsSpan(i, 8)));
                Vector128<float> narrow = TanhOp.Invoke(Vector128.Create(inputs.AsSpan(i, 4)));
                for (int lane = 0; lane < 16; lane++)
                {
                    float scalar = TanhOp.Invoke(inputs[i + lane]);
                    AssertSameBits(scalar, wide[lane]);
                    if (lane < 8)
                    {
                        AssertSameBits(scalar, middle[lane]);
                    }

                    if (lane < 4)
                    {
                        AssertSameBits(scalar, narrow[lane]);
                    }
                }
            }
        }

        [Theory]
        [InlineData(50f)]
        [InlineData(30f)]
        [InlineData(1.5f)]
        [InlineData(1e-3f)]
        public void SoftcapForm_MatchesTheDoubleFormula(float cap)
        {
            // The kernels' form (ModifiedScore): cap x tanh(s x (1/cap)), on the vector entry and the scalar one.
            var random = new Random(7);
            float inverse = 1f / cap;
            double worst = 0;
            for (int i = 0; i < 20000; i++)
            {
                // Half near the cap's scale (the curved part), half over [-200, 200].
                float s = i % 2 == 0 ? (float)((random.NextDouble() * 8 - 4) * cap) : (float)(random.NextDouble() * 400 - 200);
                float capped = cap * TanhOp.Invoke(s * inverse);
                AssertSameBits(capped, cap * TanhOp.Invoke(Vector256.Create(s * inverse)).GetElement(3));
                Assert.True(Math.Abs(capped) <= cap);
                double exact = cap * Math.Tanh((double)s / cap);
                if (exact != 0)
                {
                    worst = Math.Max(worst, Math.Abs(capped - exact) / Math.Abs(exact));
                }
            }

            // TanhOp's remarks report at most 2.59e-7 for this form over every 7th float in (1e-30, 200].
            Assert.True(worst < 2.7e-7, $"worst relative error {worst:E3}");
        }

        [Fact]
        public void SoftcapForm_LeavesZeroAndSaturatesLargeScores()
        {
            const float Cap = 50f, Inverse = 1f / Cap;
            float Capped(float s) => Cap * TanhOp.Invoke(s * Inverse);
            AssertSameBits(0f, Capped(0f));
            AssertSameBits(-0f, Capped(-0f));
            Assert.Equal(50f, Capped(1e6f));
            Assert.Equal(-50f, Capped(-1e6f));
            Assert.Equal(50f, Capped(float.PositiveInfinity));
            Assert.Equal(-50f, Capped(float.NegativeInfinity));
            Assert.True(Math.Abs(Capped(1e-30f) - 1e-30) / 1e-30 < Tolerance);
            Assert.True(Math.Abs(Capped(50f) - 50 * Math.Tanh(1)) / (50 * Math.Tanh(1)) < Tolerance);
            AssertSameBits(-Capped(50f), Capped(-50f));
        }

        /// <summary>Log-uniform magnitudes from 1e-40 (subnormal) to 1e3, both signs, and the special values.</summary>
        private static float[] Inputs(int count, int seed)
        {
            var random = new Random(seed);
            float[] inputs = new float[count];
            for (int i = 0; i < inputs.Length; i++)
            {
                float magnitude = (float)Math.Pow(10, random.NextDouble() * 43 - 40);
                inputs[i] = random.Next(2) == 0 ? magnitude : -magnitude;
            }

            float[] specials = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, 0.625f,
                BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(0.625f) - 1), 9.01f, 44f, 88f, float.MaxValue];
            specials.CopyTo(inputs, 0);
            return inputs;
        }

        private static void AssertSameBits(float expected, float actual) =>
            Assert.True(
                BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                $"expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");
    }
}
