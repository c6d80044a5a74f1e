using System;
using System.Runtime.Intrinsics;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    public sealed class ExpOpTests
    {
        [Fact]
        public void Scalar_IsWithinTwoUlpsRelative_OverTheUsedRange()
        {
            // Max-subtracted scores lie in [-87.3, 0]; check densely, and the positive side too.
            double worst = 0;
            for (double x = -87.3; x <= 88; x += 0.00731)
            {
                double exact = Math.Exp((float)x);
                double relative = Math.Abs(ExpOp.Invoke((float)x) - exact) / exact;
                worst = Math.Max(worst, relative);
            }

            Assert.True(worst < 3e-7, $"worst relative error {worst:E3}");
        }

        [Theory]
        [InlineData(0f, 1f)]
        [InlineData(float.NegativeInfinity, 0f)]
        [InlineData(-88f, 0f)]
        [InlineData(-1000f, 0f)]
        public void Scalar_SpecialValues(float x, float expected) => Assert.Equal(expected, ExpOp.Invoke(x));

        [Fact]
        public void NaN_PropagatesOnEveryWidth()
        {
            Assert.True(float.IsNaN(ExpOp.Invoke(float.NaN)));
            Assert.True(float.IsNaN(ExpOp.Invoke(Vector128.Create(float.NaN)).ToScalar()));
            Assert.True(float.IsNaN(ExpOp.Invoke(Vector256.Create(float.NaN)).ToScalar()));
            Assert.True(float.IsNaN(ExpOp.Invoke(Vector512.Create(float.NaN)).ToScalar()));
        }

        [Fact]
        public void VectorWidths_AreBitIdenticalToScalar()
        {
            var random = new Random(3);
            float[] inputs = new float[4096];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = (float)(random.NextDouble() * 200 - 110);
            }

            inputs[0] = float.NegativeInfinity;
            inputs[1] = -87.33654f;
            inputs[2] = 0f;
            for (int i = 0; i < inputs.Length; i += 16)
            {
                Vector512<float> wide = ExpOp.Invoke(Vector512.Create(inputs.AsSpan(i, 16)));
                Vector256<float> middle = ExpOp.Invoke(Vector256.Create(inputs.AsSpan(i, 8)));
                Vector128<float> narrow = ExpOp.Invoke(Vector128.Create(inputs.AsSpan(i, 4)));
                for (int lane = 0; lane < 16; lane++)
                {
                    float scalar = ExpOp.Invoke(inputs[i + lane]);
                    Assert.Equal(scalar, wide[lane]);
                    if (lane < 8)
                    {
                        Assert.Equal(scalar, middle[lane]);
                    }

                    if (lane < 4)
                    {
                        Assert.Equal(scalar, narrow[lane]);
                    }
                }
            }
        }
    }
}
