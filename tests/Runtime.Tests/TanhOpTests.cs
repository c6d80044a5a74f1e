using System;
using System.Runtime.Intrinsics;
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
        public void Softcap_MatchesTheDoubleFormula_ForEveryLength(float cap)
        {
            var random = new Random(7);
            double worst = 0;
            for (int length = 0; length <= 70; length++)
            {
                // Sentinels on both sides: only the span may change.
                float[] buffer = new float[length + 2];
                buffer[0] = 1234f;
                buffer[length + 1] = -4321f;
                for (int i = 1; i <= length; i++)
                {
                    // Half near the cap's scale (the curved part), half over [-200, 200].
                    buffer[i] = i % 2 == 0
                        ? (float)((random.NextDouble() * 8 - 4) * cap)
                        : (float)(random.NextDouble() * 400 - 200);
                }

                float[] original = (float[])buffer.Clone();
                TanhOp.Softcap(buffer.AsSpan(1, length), cap);
                Assert.Equal(1234f, buffer[0]);
                Assert.Equal(-4321f, buffer[length + 1]);
                for (int i = 1; i <= length; i++)
                {
                    float s = original[i];
                    AssertSameBits(cap * TanhOp.Invoke(s / cap), buffer[i]);
                    Assert.True(Math.Abs(buffer[i]) <= cap);
                    double exact = cap * Math.Tanh((double)s / cap);
                    worst = Math.Max(worst, Math.Abs(buffer[i] - exact) / Math.Abs(exact));
                }
            }

            // The remarks of TanhOp report at most 2.26e-7 for these caps over every 7th float in (1e-30, 200].
            Assert.True(worst < 2.5e-7, $"worst relative error {worst:E3}");
        }

        [Fact]
        public void Softcap_LeavesZeroAndSaturatesLargeScores()
        {
            float[] scores = [0f, -0f, 1e6f, -1e6f, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, 50f, -50f];
            TanhOp.Softcap(scores, 50f);
            AssertSameBits(0f, scores[0]);
            AssertSameBits(-0f, scores[1]);
            Assert.Equal(50f, scores[2]);
            Assert.Equal(-50f, scores[3]);
            Assert.Equal(50f, scores[4]);
            Assert.Equal(-50f, scores[5]);
            Assert.True(Math.Abs(scores[6] - 1e-30) / 1e-30 < Tolerance);
            Assert.True(Math.Abs(scores[7] - 50 * Math.Tanh(1)) / (50 * Math.Tanh(1)) < Tolerance);
            AssertSameBits(-scores[7], scores[8]);
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
