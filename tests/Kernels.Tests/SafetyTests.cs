using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;
using KernelGen.Tests;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// Kernels at the edges of their contract: overlapping buffers, non-finite inputs, and index arithmetic near
    /// int.MaxValue. A kernel must throw before it writes, compute what the reference computes, or both.
    /// </summary>
    public sealed class SafetyTests
    {
        private static readonly KernelCase Longformer = KernelCatalog.Get("D64_Window3x7Globals");

        /// <summary>Offsets (in rows of d = 64) of query, key, value and output inside one buffer of 40 rows; each span is 10 rows.</summary>
        public static TheoryData<string, int, int, int, int> OverlapCases() => new()
        {
            { "output is query", 0, 10, 20, 0 },
            { "output inside key", 0, 10, 20, 15 },
            { "output over the end of value", 0, 10, 20, 29 },
            { "output over the start of query", 1, 12, 24, 0 },
            { "output is value, query and key shared", 0, 0, 20, 20 },
        };

        [Theory]
        [MemberData(nameof(OverlapCases))]
        public void OutputOverlappingAnInput_Throws_AndWritesNothing(string why, int queryRow, int keyRow, int valueRow, int outputRow)
        {
            const int d = 64, n = 10;
            float[] buffer = TestData.Uniform(11, 40 * d);
            float[] before = (float[])buffer.Clone();

            ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() =>
            {
                Span<float> all = buffer;
                Longformer.Kernel(all.Slice(queryRow * d, n * d), all.Slice(keyRow * d, n * d), all.Slice(valueRow * d, n * d), all.Slice(outputRow * d, n * d));
            });

            Assert.True(exception.ParamName == "output", $"{why}: parameter '{exception.ParamName}'");
            Assert.Equal(before, buffer);
        }

        [Fact]
        public void InputsSharingOneBuffer_AreAllowed()
        {
            const int d = 64, n = 33;
            float[] shared = TestData.Uniform(12, n * d);
            float[] output = TestData.Poisoned(n * d);
            double[] expected = new double[n * d];
            float[] plain = new float[n * d];

            Longformer.Kernel(shared, shared, shared, output);
            ReferenceAttention.Compute(Longformer.Spec, shared, shared, shared, expected);
            PlainFloatAttention.Compute(Longformer.Spec, shared, shared, shared, plain);

            Accuracy.Measure measure = Accuracy.Check(output, expected, plain);
            Assert.True(measure.Problem is null, measure.Problem);
        }

        // ---- Non-finite inputs ------------------------------------------------------------------------------------

        private static readonly string[] NonFiniteKernels =
        {
            "D64_Full", "D64_Causal", "D3_Causal", "D1_Full", "D16_Window3x7Globals", "D64_Window256x0",
            "D80_CausalWindow70x0Globals", "D128_Window100x30Globals",
        };

        public static TheoryData<string> NonFiniteKernelNames() => new(NonFiniteKernels);

        /// <summary>
        /// One NaN, +inf or -inf planted in q, k or v: every output element is what the double-precision reference gives
        /// (NaN where it is NaN, the same infinity where it is infinite, within tolerance elsewhere). Rows whose mask hides
        /// the poisoned key are untouched by it, even inside a tile where the key is scored and masked.
        /// </summary>
        [Theory]
        [MemberData(nameof(NonFiniteKernelNames))]
        public void NonFiniteInput_GivesWhatTheReferenceGives(string name)
        {
            KernelCase kernel = KernelCatalog.Get(name);
            int d = kernel.Spec.HeadDimension;
            var failures = new List<string>();
            var random = new Random(name.Length * 31 + d);
            foreach ((int queries, int keys) in new[] { (1, 40), (37, 37), (100, 130), (130, 100), (1, 2100) })
            {
                foreach (string buffer in new[] { "query", "key", "value" })
                {
                    foreach (float poison in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                    {
                        for (int trial = 0; trial < 2; trial++)
                        {
                            int seed = random.Next();
                            float[] query = TestData.Uniform(seed, queries * d);
                            float[] key = TestData.Uniform(seed + 1, keys * d);
                            float[] value = TestData.Uniform(seed + 2, keys * d);
                            float[] target = buffer switch { "query" => query, "key" => key, _ => value };
                            int at = random.Next(target.Length);
                            target[at] = poison;

                            string? problem = CompareWithReference(kernel, query, key, value);
                            if (problem is not null)
                            {
                                failures.Add($"Nq={queries} Nk={keys} {buffer}[{at}]={poison}: {problem}");
                            }
                        }
                    }
                }
            }

            Assert.True(failures.Count == 0, $"{name}: {failures.Count} failures; first: " + string.Join("; ", failures.Take(5)));
        }

        /// <summary>
        /// The case the random test above may miss: whole value rows of some keys are NaN or infinite (their key rows stay
        /// finite), and the kernel scores those keys inside partial tiles (causal diagonal, window edges) for rows that
        /// mask them. Every row that masks all of them must come out finite and match the reference.
        /// </summary>
        [Theory]
        [InlineData("D64_Causal")]
        [InlineData("D128_Window100x30Globals")]
        [InlineData("D80_CausalWindow70x0Globals")]
        [InlineData("D64_Window256x0")]
        public void NonFiniteValuesOfMaskedKeys_NeverReachTheOutput(string name)
        {
            KernelCase kernel = KernelCatalog.Get(name);
            int d = kernel.Spec.HeadDimension;
            const int n = 200;
            int[] poisoned = { 150, 151, 199 };
            float[] query = TestData.Uniform(21, n * d);
            float[] key = TestData.Uniform(22, n * d);
            float[] value = TestData.Uniform(23, n * d);
            foreach (int j in poisoned)
            {
                value.AsSpan(j * d, d).Fill(j % 2 == 0 ? float.NaN : float.PositiveInfinity);
            }

            float[] output = TestData.Poisoned(n * d);
            kernel.Kernel(query, key, value, output);
            int clean = 0;
            for (int row = 0; row < n; row++)
            {
                if (poisoned.Any(j => kernel.Spec.IsAllowed(row, j, n, n)))
                {
                    continue;
                }

                clean++;
                Assert.True(output.AsSpan(row * d, d).IndexOfAnyExceptInRange(float.MinValue, float.MaxValue) < 0, $"{name}: row {row} masks every poisoned key but is not finite");
            }

            Assert.True(clean >= 100, $"{name}: only {clean} rows mask the poisoned keys; the test needs more");
            string? problem = CompareWithReference(kernel, query, key, value);
            Assert.True(problem is null, problem);
        }

        private static string? CompareWithReference(KernelCase kernel, float[] query, float[] key, float[] value)
        {
            float[] output = TestData.Poisoned(query.Length);
            double[] expected = new double[query.Length];
            float[] plain = new float[query.Length];
            kernel.Kernel(query, key, value, output);
            ReferenceAttention.Compute(kernel.Spec, query, key, value, expected);
            PlainFloatAttention.Compute(kernel.Spec, query, key, value, plain);

            // NaN where the reference is NaN, the same infinity, and finite values under the accuracy criterion.
            string? problem = Accuracy.Check(output, expected, plain).Problem;
            return problem is null ? null : $"{kernel.Name} (d = {kernel.Spec.HeadDimension}): {problem}";
        }

        // ---- Index arithmetic near int.MaxValue -------------------------------------------------------------------

        /// <summary>
        /// Key and value spans of about 2^31 floats (N·d within 64 of int.MaxValue), the last query rows attending to the
        /// last keys: every offset the kernel computes is near the top of the int range. The buffer is reserved, not
        /// committed: only the pages the test writes and the kernel reads become memory (a few MiB of an 8 GiB range).
        /// </summary>
        [Theory]
        [InlineData("D64_CausalWindow70x0Globals", 20)]
        [InlineData("D64_Window100x30Globals", 17)]
        [InlineData("D1_Window256x0", 40)]
        [InlineData("D3_CausalWindow16x0", 9)]
        public unsafe void KeySpansNearIntMaxValue_IndexWithoutOverflow(string name, int queries)
        {
            KernelCase kernel = KernelCatalog.Get(name);
            int d = kernel.Spec.HeadDimension;
            int keys = int.MaxValue / d;
            nuint bytes = (nuint)keys * (nuint)d * sizeof(float);
            float* memory = (float*)NativeMemory.Alloc(bytes);
            try
            {
                var cache = new Span<float>(memory, keys * d);
                // Keys (and values: the same buffer) are random at the start (global positions) and in the last 4096 rows;
                // everything between is the zero page, never touched by the window rows below.
                TestData.Uniform(31, 1024 * d).CopyTo(cache);
                TestData.Uniform(32, 4096 * d).CopyTo(cache.Slice((keys - 4096) * d));
                float[] query = TestData.Uniform(33, queries * d);
                float[] output = TestData.Poisoned(queries * d);

                kernel.Kernel(query, cache, cache, output);

                for (int row = 0; row < queries; row++)
                {
                    (double[] expected, float[] plain) = SparseReference(kernel.Spec, query, cache, row, queries, keys);
                    Accuracy.Measure measure = Accuracy.Check(output.AsSpan(row * d, d), expected, plain);
                    Assert.True(measure.Problem is null, $"row {row} of {queries} against {keys} keys: {measure.Problem}");
                }
            }
            finally
            {
                NativeMemory.Free(memory);
            }
        }

        /// <summary>
        /// The reference and its plain float32 twin for one row, visiting only the keys a window or global mask can allow
        /// (never the zero middle): the allowed keys, in order, gathered into a short unmasked problem with the same scale.
        /// </summary>
        private static (double[] Expected, float[] Plain) SparseReference(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> cache, int row, int queries, int keys)
        {
            int d = spec.HeadDimension;
            long position = (long)row + keys - queries;
            AttentionWindow window = spec.Window ?? throw new ArgumentException("a windowed spec is needed");
            if (spec.Softcap != 0f || spec.Alibi)
            {
                throw new ArgumentException("a spec without score terms is needed");
            }

            var candidates = new SortedSet<int>(spec.GlobalPositions.Where(g => g < keys));
            for (long j = Math.Max(0, position - window.Left); j <= Math.Min(keys - 1L, position + window.Right); j++)
            {
                candidates.Add((int)j);
            }

            var allowed = candidates.Where(j => spec.IsAllowed(row, j, queries, keys)).ToList();
            float[] gathered = new float[allowed.Count * d];
            for (int n = 0; n < allowed.Count; n++)
            {
                cache.Slice((int)((long)allowed[n] * d), d).CopyTo(gathered.AsSpan(n * d));
            }

            var unmasked = new AttentionSpec(d, spec.Scale);
            ReadOnlySpan<float> queryRow = query.Slice(row * d, d);
            double[] expected = new double[d];
            float[] plain = new float[d];
            ReferenceAttention.Compute(unmasked, queryRow, gathered, gathered, expected);
            PlainFloatAttention.Compute(unmasked, queryRow, gathered, gathered, plain);
            return (expected, plain);
        }
    }
}
