using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// Row groups are shared out whole, so a kernel's output must be bit-identical on one thread and on many, and calls
    /// from several threads at once must not disturb each other. Not timing tests.
    /// </summary>
    public sealed class ThreadingTests
    {
        public static TheoryData<string> Kernels() => new()
        {
            "D64_Full",
            "D128_Causal",
            "D80_CausalWindow16x0Globals",
            "D96_Window3x7Globals",
            "D256_Window256x0",
        };

        [Theory]
        [MemberData(nameof(Kernels))]
        public void AnyThreadCount_GivesBitIdenticalOutput(string name)
        {
            KernelCase kernel = KernelCatalog.Get(name);
            int d = kernel.Spec.HeadDimension;
            const int n = 1000;
            float[] query = TestData.Uniform(41, n * d);
            float[] key = TestData.Uniform(42, n * d);
            float[] value = TestData.Uniform(43, n * d);

            float[] single = Run(kernel, query, key, value, degree: 1);
            foreach (int degree in new[] { 2, 3, 16 })
            {
                Assert.Equal(single, Run(kernel, query, key, value, degree));
            }

            double[] expected = new double[single.Length];
            ReferenceAttention.Compute(kernel.Spec, query, key, value, expected);
            Assert.True(TestData.MaxAbsError(single, expected) <= TestData.Tolerance);
        }

        [Theory]
        [InlineData("D128_Causal")]
        [InlineData("D64_Full")]
        [InlineData("D80_Window100x30Globals")]
        public void DecodeStepOverLongCache_IsSplit_AndBitIdenticalOnAnyThreadCount(string name)
        {
            KernelCase kernel = KernelCatalog.Get(name);
            int d = kernel.Spec.HeadDimension;
            float[] query = TestData.Uniform(61, 3 * d);
            float[] key = TestData.Uniform(62, 16384 * d);
            float[] value = TestData.Uniform(63, 16384 * d);

            float[] single = Run(kernel, query, key, value, degree: 1);
            Assert.Equal(single, Run(kernel, query, key, value, degree: 2));
            Assert.Equal(single, Run(kernel, query, key, value, degree: 16));

            double[] expected = new double[single.Length];
            ReferenceAttention.Compute(kernel.Spec, query, key, value, expected);
            Assert.True(TestData.MaxAbsError(single, expected) <= TestData.Tolerance);
        }

        [Fact]
        public void LargeCall_UsesMoreThanOneThread_WhenTheMachineHasThem()
        {
            if (Environment.ProcessorCount < 2)
            {
                return; // nothing to share with
            }

            KernelCase kernel = KernelCatalog.Get("D64_Full");
            float[] data = TestData.Uniform(5, 1000 * 64);
            float[] output = new float[data.Length];
            long before = KernelWorkers.ParallelRuns;
            // Another test may hold the workers for a moment (a busy pool means "compute alone"): retry a few times.
            for (int attempt = 0; attempt < 50 && KernelWorkers.ParallelRuns == before; attempt++)
            {
                kernel.Kernel(data, data, data, output);
            }

            Assert.True(KernelWorkers.ParallelRuns > before, "no call ran on more than one thread");
        }

        [Fact]
        public void ManyCallersAtOnce_EachGetTheSingleThreadResult()
        {
            KernelCase[] kernels = { KernelCatalog.Get("D64_Full"), KernelCatalog.Get("D128_CausalWindow16x0Globals"), KernelCatalog.Get("D3_Causal") };
            const int n = 600;
            float[][] inputs = new float[kernels.Length][];
            float[][] expected = new float[kernels.Length][];
            for (int k = 0; k < kernels.Length; k++)
            {
                inputs[k] = TestData.Uniform(50 + k, n * kernels[k].Spec.HeadDimension);
                expected[k] = Run(kernels[k], inputs[k], inputs[k], inputs[k], degree: 1);
            }

            int mismatches = 0;
            Parallel.For(0, 12, new ParallelOptions { MaxDegreeOfParallelism = 12 }, caller =>
            {
                int k = caller % kernels.Length;
                float[] output = new float[expected[k].Length];
                for (int repeat = 0; repeat < 3; repeat++)
                {
                    kernels[k].Kernel(inputs[k], inputs[k], inputs[k], output);
                    if (!output.AsSpan().SequenceEqual(expected[k]))
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
            });

            Assert.Equal(0, mismatches);
        }

        private static float[] Run(KernelCase kernel, float[] query, float[] key, float[] value, int degree)
        {
            int saved = AttentionThreading.MaxDegreeOfParallelism;
            try
            {
                AttentionThreading.MaxDegreeOfParallelism = degree;
                float[] output = TestData.Poisoned(query.Length);
                kernel.Kernel(query, key, value, output);
                return output;
            }
            finally
            {
                AttentionThreading.MaxDegreeOfParallelism = saved;
            }
        }
    }
}
