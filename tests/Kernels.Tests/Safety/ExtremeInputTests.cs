using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit;
using KernelGen.Tests;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// Calls at the edges of the numbers rather than the memory: an empty call with a batch of 2^30 (a hang detector, not a
    /// timing test), and finite inputs whose scores overflow float (a run-time scale of 3e38, or |q|, |k| about 1e20 with
    /// the default scale). Softmax is a convex combination of the visible value rows whatever the scores, so each output
    /// element must lie within that column's min..max over the row's visible values (no NaN), and the log-sum-exp must be
    /// the float rounding of the double reference's (+inf where the true value exceeds float.MaxValue).
    /// </summary>
    public sealed class ExtremeInputTests
    {
        private const int HugeBatch = 1 << 30;

        private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

        [Theory]
        [InlineData("H1Kv1_Full")]
        [InlineData("H1Kv1_Full_Lse")]
        [InlineData("H8Kv4_Full_Bhsd")]
        [InlineData("Softcap_Full")]
        [InlineData("Alibi_WindowGlobals")]
        [InlineData("HalfCache_Gqa8x2_Bhsd_D61")]
        public async Task EmptyCallWithAHugeBatch_Returns(string name)
        {
            // Every span empty (Nq = Nk = 0 for each of the 2^30 items): a valid call with nothing to do.
            Action call = name switch
            {
                "H1Kv1_Full" => static () => BatchedKernels.H1Kv1_Full(default, default, default, default, HugeBatch),
                "H1Kv1_Full_Lse" => static () => BatchedKernels.H1Kv1_Full_Lse(default, default, default, default, HugeBatch, default),
                "H8Kv4_Full_Bhsd" => static () => BatchedKernels.H8Kv4_Full_Bhsd(default, default, default, default, HugeBatch),
                "Softcap_Full" => static () => ScoreKernels.Softcap_Full(default, default, default, default, HugeBatch, default),
                "Alibi_WindowGlobals" => static () => ScoreKernels.Alibi_WindowGlobals(default, default, default, default, HugeBatch, default),
                "HalfCache_Gqa8x2_Bhsd_D61" => static () => BatchedStorageKernels.HalfCache_Gqa8x2_Bhsd_D61(default, default, default, default, HugeBatch),
                _ => throw new ArgumentException(name, nameof(name)),
            };
            Task task = Task.Run(call);
            Task first = await Task.WhenAny(task, Task.Delay(HangLimit));
            Assert.True(first == task, $"{name}: an empty call with batch = 2^30 was still running after {HangLimit.TotalSeconds} s");
            await task; // an exception from the call fails the test
        }

        public static TheoryData<string> FinitePathNames() => new(SafetyCatalog.All
            .Where(static c => c.ElementOf("query") != typeof(Half) && c.ElementOf("key") != typeof(Half)) // 1e20 is past f16's range
            .Select(static c => c.Name).OrderBy(static n => n, StringComparer.Ordinal));

        /// <summary>
        /// Every kernel family with query and key entries near 1e20, so that products overflow float32 to +inf and -inf
        /// within one dot product: no output or log-sum-exp is NaN, and every output is a convex combination of value rows
        /// (within the largest |value|). A row that came out NaN in float32 is computed again exactly and is the reference's
        /// (which rounds each score to float32 and takes the softmax's limit at +inf); a float32 dot product that overflows
        /// to -inf where its exact value would not has weight 0 (docs/safety.md), so a row may differ from the reference
        /// there, but most rows match it (the test is not vacuous: a kernel writing zeros or garbage fails it).
        /// </summary>
        [Theory]
        [MemberData(nameof(FinitePathNames))]
        public void HugeInputs_EveryFamily_NoNaN_ConvexRows_MostTheReference(string name)
        {
            SafetyCase kernel = SafetyCatalog.Get(name);
            int d = kernel.HeadDimension, matched = 0, rowsWithKeys = 0;
            foreach ((int queries, int keys) in new[] { (1, 37), (17, 17), (40, 65) })
            {
                var problem = SafetyProblem.Create(kernel, batch: 2, queries, keys, seed: queries * 31 + keys, inputScale: 1e20f);
                (float[] output, float[]? logSumExp) = problem.RunAndRead(GuardSide.After);
                float largest = SafetyProblem.Decode(problem["value"], kernel.ElementOf("value")).Select(MathF.Abs).DefaultIfEmpty(0f).Max();
                Type element = kernel.ElementOf("output");
                double relative = element == typeof(Half) ? 1.0 / 1024 : element == typeof(BFloat16) ? 1.0 / 128 : 0;
                for (int row = 0; row < output.Length / d; row++)
                {
                    bool same = true;
                    for (int c = 0; c < d; c++)
                    {
                        int i = row * d + c;
                        Assert.False(float.IsNaN(output[i]), $"{name} {problem.Shape}: output[{i}] is NaN");
                        Assert.True(Math.Abs(output[i]) <= largest * (1 + relative) + 1e-6, $"{name} {problem.Shape}: output[{i}] = {output[i]} is no convex combination of values within {largest}");
                        double want = problem.ExpectedOutput[i];
                        same &= Math.Abs(output[i] - want) <= 1e-5 + relative * Math.Abs(want);
                    }

                    if (problem.ExpectedOutput.AsSpan(row * d, d).IndexOfAnyExcept(0.0) >= 0)
                    {
                        rowsWithKeys++;
                        matched += same ? 1 : 0;
                    }
                }

                for (int i = 0; logSumExp is not null && i < logSumExp.Length; i++)
                {
                    Assert.False(float.IsNaN(logSumExp[i]), $"{name} {problem.Shape}: logSumExp[{i}] is NaN");
                }
            }

            // With a softcap an overflowed dot product becomes +-cap, finite, so its row is not recomputed: it keeps float32's
            // sign of the overflow, which need not be the exact score's (no NaN and convex still hold, checked above).
            if (kernel.Spec.Softcap == 0f)
            {
                Assert.True(matched * 2 > rowsWithKeys, $"{name}: only {matched} of {rowsWithKeys} rows with visible keys match the reference");
            }
        }

        [Fact]
        public void HugeRuntimeScale_SingleHead_GivesConvexRows()
        {
            ScaledSingleHead(scale: 3e38f, bound: 1f);
        }

        [Fact]
        public void HugeInputs_DefaultScale_SingleHead_GivesConvexRows()
        {
            ScaledSingleHead(scale: 0f, bound: 1e20f);
        }

        [Fact]
        public void HugeRuntimeScale_LogSumExp_IsTheReferenceRounded()
        {
            const int d = 16, n = 40;
            float[] query = TestData.Uniform(41, n * d), key = TestData.Uniform(42, n * d), value = TestData.Uniform(43, n * d);
            float[] output = TestData.Poisoned(n * d), logSumExp = TestData.Poisoned(n);
            SafetyKernels.H1_D16_Full_Scale_Lse(query, key, value, output, 1, logSumExp, 3e38f);
            AssertConvexAndLogSumExp(new AttentionSpec(d), query, key, value, output, logSumExp, n, n, 3e38f);
        }

        [Fact]
        public void HugeInputs_DefaultScale_LogSumExp_IsTheReferenceRounded()
        {
            const int d = 32, n = 40;
            float[] query = TestData.Uniform(44, n * d, 1e20f), key = TestData.Uniform(45, n * d, 1e20f), value = TestData.Uniform(46, n * d);
            float[] output = TestData.Poisoned(n * d), logSumExp = TestData.Poisoned(n);
            BatchedKernels.H1Kv1_Full_Lse(query, key, value, output, 1, logSumExp);
            AssertConvexAndLogSumExp(new AttentionSpec(d), query, key, value, output, logSumExp, n, n, 0f);
        }

        private static void ScaledSingleHead(float scale, float bound)
        {
            foreach ((int queries, int keys) in new[] { (1, 50), (37, 37), (70, 90) })
            {
                float[] value = TestData.Uniform(queries + 3, keys * 37);
                if (scale != 0f)
                {
                    // Window 40 x 5 with globals, d = 37, the scale given at run time.
                    float[] query = TestData.Uniform(queries + 1, queries * 37, bound), key = TestData.Uniform(queries + 2, keys * 37, bound);
                    float[] output = TestData.Poisoned(queries * 37);
                    ScoreKernels.Single_RuntimeScale_WindowGlobals(query, key, value, output, scale);
                    AssertConvexAndLogSumExp(SafetyCatalog.Get("Single_RuntimeScale_WindowGlobals").Spec, query, key, value, output, default, queries, keys, scale);
                }
                else
                {
                    float[] query = TestData.Uniform(queries + 1, queries * 64, bound), key = TestData.Uniform(queries + 2, keys * 64, bound);
                    float[] value64 = TestData.Uniform(queries + 3, keys * 64);
                    float[] output = TestData.Poisoned(queries * 64);
                    TestKernels.D64_Full(query, key, value64, output);
                    AssertConvexAndLogSumExp(KernelCatalog.Get("D64_Full").Spec, query, key, value64, output, default, queries, keys, 0f);
                }
            }
        }

        /// <summary>
        /// Each output element within its column's min..max over the row's visible value rows (zeros for a row with none),
        /// and, when given, each log-sum-exp equal to the double reference's rounded to float (infinities exactly).
        /// </summary>
        private static void AssertConvexAndLogSumExp(AttentionSpec spec, float[] query, float[] key, float[] value, float[] output, float[]? logSumExp, int queries, int keys,
            float scale)
        {
            int d = spec.HeadDimension;
            int nanRows = 0, outsideRows = 0;
            string? first = null;
            for (int i = 0; i < queries; i++)
            {
                int[] visible = Enumerable.Range(0, keys).Where(j => spec.IsAllowed(i, j, queries, keys)).ToArray();
                for (int c = 0; c < d; c++)
                {
                    float actual = output[i * d + c];
                    float low = visible.Length == 0 ? 0f : visible.Min(j => value[j * d + c]);
                    float high = visible.Length == 0 ? 0f : visible.Max(j => value[j * d + c]);
                    double slack = 1e-6 * Math.Max(1, Math.Max(Math.Abs(low), Math.Abs(high)));
                    if (float.IsNaN(actual) || actual < low - slack || actual > high + slack)
                    {
                        nanRows += float.IsNaN(actual) ? 1 : 0;
                        outsideRows += float.IsNaN(actual) ? 0 : 1;
                        first ??= $"row {i} column {c} is {actual}, outside [{low}, {high}] of its {visible.Length} visible values";
                        break;
                    }
                }
            }

            Assert.True(first is null, $"{nanRows} rows with NaN and {outsideRows} rows outside the visible values' range, of {queries}; first: {first}");

            if (logSumExp is not null)
            {
                double[] expected = new double[query.Length], expectedLse = new double[queries];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, 1, 1, 1, query, key, value, expected, logSumExp: expectedLse, scale: scale);
                int infinite = 0;
                for (int i = 0; i < queries; i++)
                {
                    float want = (float)expectedLse[i];
                    infinite += float.IsPositiveInfinity(want) ? 1 : 0;
                    bool same = float.IsInfinity(want) ? logSumExp[i] == want : Math.Abs(logSumExp[i] - want) <= 1e-5 * Math.Abs(want);
                    Assert.True(same, $"logSumExp[{i}] is {logSumExp[i]}, the reference rounded to float {want} ({expectedLse[i]:E6})");
                }

                Assert.True(infinite > 0, "no row's log-sum-exp overflows float: the test would not cover the case it is for");
            }
        }
    }
}
