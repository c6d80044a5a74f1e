using System;
using Xunit;
using KernelGen.Tests;

namespace KernelGen.Kernels.Tests
{
    /// <summary>The accuracy criterion itself (<see cref="Accuracy"/>): it passes a real kernel and fails a degraded one.</summary>
    public sealed class AccuracyTests
    {
        [Theory]
        [InlineData("D64_Full", 65, 300)]
        [InlineData("D128_Causal", 100, 100)]
        [InlineData("D3_GlobalsOnly", 17, 257)]
        public void OutputPerturbedByTenTimesTheFloat32Error_Fails(string name, int queries, int keys)
        {
            KernelCase kernel = KernelCatalog.Get(name);
            int d = kernel.Spec.HeadDimension;
            float[] query = TestData.Uniform(1, queries * d), key = TestData.Uniform(2, keys * d), value = TestData.Uniform(3, keys * d);
            float[] output = TestData.Poisoned(queries * d), plain = new float[queries * d];
            double[] expected = new double[queries * d];
            kernel.Kernel(query, key, value, output);
            ReferenceAttention.Compute(kernel.Spec, query, key, value, expected);
            PlainFloatAttention.Compute(kernel.Spec, query, key, value, plain);

            Accuracy.Measure clean = Accuracy.Check(output, expected, plain);
            Assert.True(clean.Problem is null, clean.Problem);
            Assert.True(clean.PlainError > 0, "the plain float32 twin should carry some rounding error here");

            // One element off by ten times the plain float32 error: a precision regression the old 1e-4 could not see.
            int worst = queries * d / 2;
            output[worst] += (float)(10 * clean.PlainError);
            Accuracy.Measure perturbed = Accuracy.Check(output, expected, plain);
            Assert.NotNull(perturbed.Problem);
            Assert.True(perturbed.KernelError < 1e-4, $"the perturbation ({perturbed.KernelError:E3}) is below the old fixed tolerance");
        }

        [Fact]
        public void NonFiniteReference_IsMatchedExactly()
        {
            double[] expected = { double.NegativeInfinity, double.NaN, 0.5 };
            float[] plain = { float.NegativeInfinity, float.NaN, 0.5f };
            Assert.Null(Accuracy.Check(new[] { float.NegativeInfinity, float.NaN, 0.5f }, expected, plain).Problem);
            Assert.NotNull(Accuracy.Check(new[] { -1e30f, float.NaN, 0.5f }, expected, plain).Problem);
            Assert.NotNull(Accuracy.Check(new[] { float.NegativeInfinity, 0f, 0.5f }, expected, plain).Problem);
            Assert.NotNull(Accuracy.Check(new[] { float.NegativeInfinity, float.NaN, float.NaN }, expected, plain).Problem);
        }

        [Fact]
        public void PlainTwinThatDisagreesWithTheReference_IsReported()
        {
            // A twin that is not finite where the reference is would make every kernel pass: it is an error, not a bound.
            Accuracy.Measure measure = Accuracy.Check(new[] { 0.5f }, new[] { 0.5 }, new[] { float.NaN });
            Assert.Contains("plain float32 twin", measure.Problem);
        }
    }
}
