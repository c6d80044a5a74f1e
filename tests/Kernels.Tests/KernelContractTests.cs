using System;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Threading;
using System.Threading.Tasks;
using KernelGen.Kernels.Tests.Placement;
using Xunit;
using KernelGen.Tests;

namespace KernelGen.Kernels.Tests
{
    /// <summary>The kernel contract beyond the numbers: validation, zero rows, large inputs, threads, odd declarations.</summary>
    public sealed class KernelContractTests
    {
        private static readonly KernelCase Longformer = KernelCatalog.Get("D64_CausalWindow16x0Globals");

        public static TheoryData<string, int, int, int, int, string> BadLengths() => new()
        {
            { "query not whole rows", 65, 128, 128, 65, "query" },
            { "key not whole rows", 128, 130, 130, 128, "key" },
            { "value differs from key", 128, 128, 192, 128, "value" },
            { "output differs from query", 128, 128, 128, 64, "output" },
            { "output longer than query", 128, 128, 128, 192, "output" },
        };

        [Theory]
        [MemberData(nameof(BadLengths))]
        public void BadLength_ThrowsNamingParameter_AndLeavesOutputUntouched(string why, int queryLength, int keyLength, int valueLength, int outputLength, string parameter)
        {
            float[] query = TestData.Uniform(1, queryLength);
            float[] key = TestData.Uniform(2, keyLength);
            float[] value = TestData.Uniform(3, valueLength);
            float[] output = Enumerable.Repeat(123f, outputLength).ToArray();

            ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() => Longformer.Kernel(query, key, value, output));

            Assert.True(exception.ParamName == parameter, $"{why}: expected parameter '{parameter}', got '{exception.ParamName}'");
            Assert.All(output, x => Assert.Equal(123f, x));
        }

        [Fact]
        public void BadLength_NamesTheUsersParameter()
        {
            float[] data = new float[20];
            ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() => GlobalNamespaceKernels.Run(data.AsSpan(0, 15), data, data, new float[15]));
            Assert.Equal("q", exception.ParamName);
        }

        [Fact]
        public void MoreQueriesThanKeys_Causal_LeadingRowsAreExactZeros()
        {
            KernelCase kernel = KernelCatalog.Get("D16_Causal");
            float[] query = TestData.Uniform(5, 10 * 16);
            float[] key = TestData.Uniform(6, 4 * 16);
            float[] output = TestData.Poisoned(query.Length);

            kernel.Kernel(query, key, key, output);

            // p(i) = i + 4 - 10 < 0 for the first 6 rows: no visible key.
            Assert.All(output.Take(6 * 16), x => Assert.Equal(0f, x));
            Assert.All(output.Skip(6 * 16), x => Assert.True(float.IsFinite(x)));
        }

        [Fact]
        public void NoKeys_WritesZeros()
        {
            float[] output = TestData.Poisoned(3 * 64);
            Longformer.Kernel(TestData.Uniform(1, 3 * 64), ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, output);
            Assert.All(output, x => Assert.Equal(0f, x));
        }

        [Theory]
        [InlineData("D256_Full")]
        [InlineData("D256_CausalWindow16x0Globals")]
        [InlineData("D256_Window256x0")]
        public void LargeInputs_StayFinite_AndCloseToReference(string name)
        {
            // |x| <= 8 at d = 256: scores reach about +-1000 before the softmax; nothing may overflow.
            KernelCase kernel = KernelCatalog.Get(name);
            Accuracy.Measure measure = DifferentialTests.Check(kernel, 300, 300, seed: 77, out string? zeroRowProblem, bound: 8f);
            Assert.Null(zeroRowProblem);
            Assert.True(measure.Problem is null, measure.Problem);
        }

        [Fact]
        public void SameKernel_OnTwoThreadsAtOnce_GivesSingleThreadResultsBitForBit()
        {
            const int n = 700;
            int d = Longformer.Spec.HeadDimension;
            float[] query = TestData.Uniform(11, n * d);
            float[] key = TestData.Uniform(12, n * d);
            float[] value = TestData.Uniform(13, n * d);
            float[] expected = new float[n * d];
            Longformer.Kernel(query, key, value, expected);

            float[][] outputs = { new float[n * d], new float[n * d] };
            using var start = new Barrier(2);
            Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, thread =>
            {
                start.SignalAndWait();
                for (int repeat = 0; repeat < 5; repeat++)
                {
                    Longformer.Kernel(query, key, value, outputs[thread]);
                }
            });

            Assert.Equal(expected, outputs[0]);
            Assert.Equal(expected, outputs[1]);
        }

        [Theory]
        [InlineData("D64_Full")]
        [InlineData("D80_CausalWindow16x0Globals")]
        [InlineData("D256_Window3x7")]
        [InlineData("D3_Causal")]
        public void SteadyStateCall_AllocatesNothing(string name)
        {
            // Not a timing assert: the allocation counter of this thread must not move across calls.
            KernelCase kernel = KernelCatalog.Get(name);
            int d = kernel.Spec.HeadDimension;
            float[] query = TestData.Uniform(31, 300 * d);
            float[] output = new float[query.Length];
            // A kernel that allocates per call allocates in every window of calls. The runtime may allocate once on the
            // calling thread while tiered compilation promotes the method, so the test asks for one clean window of
            // 5 calls within 40 attempts rather than for the first one.
            long allocated = -1;
            for (int attempt = 0; attempt < 40 && allocated != 0; attempt++)
            {
                kernel.Kernel(query, query, query, output);
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int call = 0; call < 5; call++)
                {
                    kernel.Kernel(query, query, query, output);
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated != 0)
                {
                    Thread.Sleep(25);
                }
            }

            Assert.Equal(0, allocated);
        }

        [Fact]
        public void KernelsInOddPlaces_MatchReference()
        {
            float[] q = TestData.Uniform(21, 9 * 8);
            float[] k = TestData.Uniform(22, 11 * 8);
            float[] v = TestData.Uniform(23, 11 * 8);

            AssertMatches(new AttentionSpec(8, window: new AttentionWindow(2, 1)), q, k, v, (a, b, c, o) => new Outer<int>.Inner().Instance(a, b, c, o));
            AssertMatches(new AttentionSpec(16, causal: true), q, k.AsSpan(0, 5 * 16).ToArray(), v.AsSpan(0, 5 * 16).ToArray(), GlobalNamespaceKernels.Run, queryLength: 4 * 16);
            AssertMatches(new AttentionSpec(12, scale: 0.25f, causal: true), q.AsSpan(0, 6 * 12).ToArray(), k.AsSpan(0, 7 * 12).ToArray(), v.AsSpan(0, 7 * 12).ToArray(), Holder.CallProtected);
            AssertMatches(new AttentionSpec(12, scale: 0.25f, causal: true), q.AsSpan(0, 6 * 12).ToArray(), k.AsSpan(0, 7 * 12).ToArray(), v.AsSpan(0, 7 * 12).ToArray(), ValueHolder.CallHidden);
            AssertMatches(new AttentionSpec(5), q.AsSpan(0, 7 * 5).ToArray(), k.AsSpan(0, 3 * 5).ToArray(), v.AsSpan(0, 3 * 5).ToArray(), new RecordHolder(1).CallImplicit);
        }

        [Fact]
        public void IsaEnvironment_SelectsTheExpectedPath()
        {
            // CI reruns the kernel tests with these switches; this proves each rerun really takes a narrower path.
            if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
            {
                Assert.False(Vector128.IsHardwareAccelerated);
            }

            if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
            {
                Assert.False(Vector256.IsHardwareAccelerated);
            }

            // .NET 10 reads DOTNET_EnableAVX512; DOTNET_EnableAVX512F is the older name and no longer has an effect.
            if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
            {
                Assert.False(Vector512.IsHardwareAccelerated);
            }
        }

        private static void AssertMatches(AttentionSpec spec, float[] query, float[] key, float[] value, AttentionKernel kernel, int? queryLength = null)
        {
            float[] q = query.AsSpan(0, queryLength ?? query.Length).ToArray();
            float[] output = TestData.Poisoned(q.Length);
            double[] expected = new double[q.Length];
            float[] plain = new float[q.Length];
            kernel(q, key, value, output);
            ReferenceAttention.Compute(spec, q, key, value, expected);
            PlainFloatAttention.Compute(spec, q, key, value, plain);
            Accuracy.Measure measure = Accuracy.Check(output, expected, plain);
            Assert.True(measure.Problem is null, measure.Problem);
        }
    }
}
