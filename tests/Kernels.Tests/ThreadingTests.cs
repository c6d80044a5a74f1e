using System;
using System.Linq;
using System.Threading;
using KernelGen.Engine;
using KernelGen.Tests;
using Xunit;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// Row groups are shared out whole, so a kernel's output must be bit-identical on one thread and on many, and calls
    /// from several threads at once must not disturb each other. Not timing tests.
    /// </summary>
    [Collection(ProcessWideThreadSetting.Name)]
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
            float[] plain = new float[single.Length];
            ReferenceAttention.Compute(kernel.Spec, query, key, value, expected);
            PlainFloatAttention.Compute(kernel.Spec, query, key, value, plain);
            Accuracy.Measure measure = Accuracy.Check(single, expected, plain);
            Assert.True(measure.Problem is null, measure.Problem);
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
            float[] plain = new float[single.Length];
            ReferenceAttention.Compute(kernel.Spec, query, key, value, expected);
            PlainFloatAttention.Compute(kernel.Spec, query, key, value, plain);
            Accuracy.Measure measure = Accuracy.Check(single, expected, plain);
            Assert.True(measure.Problem is null, measure.Problem);
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

        /// <summary>
        /// No static mutable state: 2 to 16 threads calling the same and different kernels at once (tiles, single rows,
        /// a chunked decode row, global keys) each get the bit-exact single-threaded result.
        /// </summary>
        [Theory]
        [InlineData(2)]
        [InlineData(5)]
        [InlineData(16)]
        public void ManyCallersAtOnce_EachGetTheSingleThreadResult(int callers)
        {
            (KernelCase Kernel, int Queries, int Keys)[] calls =
            {
                (KernelCatalog.Get("D64_Full"), 600, 600),
                (KernelCatalog.Get("D128_CausalWindow16x0Globals"), 600, 600),
                (KernelCatalog.Get("D3_Causal"), 600, 600),
                (KernelCatalog.Get("D128_Window100x30Globals"), 300, 500),
                (KernelCatalog.Get("D64_Causal"), 1, 4100),
            };
            float[][] queries = new float[calls.Length][], keys = new float[calls.Length][], expected = new float[calls.Length][];
            for (int c = 0; c < calls.Length; c++)
            {
                int d = calls[c].Kernel.Spec.HeadDimension;
                queries[c] = TestData.Uniform(50 + c, calls[c].Queries * d);
                keys[c] = TestData.Uniform(70 + c, calls[c].Keys * d);
                expected[c] = Run(calls[c].Kernel, queries[c], keys[c], keys[c], degree: 1);
            }

            int mismatches = 0;
            using var start = new Barrier(callers);
            Thread[] threads = Enumerable.Range(0, callers).Select(caller => new Thread(() =>
            {
                start.SignalAndWait();
                for (int repeat = 0; repeat < 3; repeat++)
                {
                    int c = (caller + repeat) % calls.Length;
                    float[] output = new float[expected[c].Length];
                    calls[c].Kernel.Kernel(queries[c], keys[c], keys[c], output);
                    if (!output.AsSpan().SequenceEqual(expected[c]))
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
            })).ToArray();
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

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
