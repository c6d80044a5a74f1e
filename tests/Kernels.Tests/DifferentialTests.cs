using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using KernelGen.Tests;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// Every generated kernel against <see cref="ReferenceAttention"/> on seeded random inputs, over square and
    /// rectangular shapes: empty, one row, odd lengths, block sizes plus and minus one, longer than the windows, Nq != Nk.
    /// CI reruns this class with AVX-512, AVX2 and all hardware intrinsics disabled, so every vector path is covered.
    /// </summary>
    public sealed class DifferentialTests
    {
        private static readonly int[] SquareLengths = { 0, 1, 2, 17, 63, 64, 65, 100, 257, 1000 };

        private static readonly (int Queries, int Keys)[] RectangularShapes =
        {
            (1, 300), (7, 300), (64, 65), (65, 64), (300, 7), (1, 1), (3, 0), (0, 5),
            // Decode over a long cache: rows of 2048+ keys are split into fixed 1024-key chunks and merged.
            (1, 4100), (5, 2500),
        };

        public static TheoryData<string> KernelNames() => new(KernelCatalog.Names);

        [Theory]
        [MemberData(nameof(KernelNames))]
        public void Kernel_MatchesReference_OnEveryShape(string name)
        {
            KernelCase kernel = KernelCatalog.Get(name);
            var failures = new List<string>();
            foreach ((int queries, int keys) in Shapes(kernel.Spec.HeadDimension))
            {
                Accuracy.Measure measure = Check(kernel, queries, keys, seed: queries * 7919 + keys, out string? zeroRowProblem);
                if (measure.Problem is not null)
                {
                    failures.Add($"Nq={queries} Nk={keys}: {measure.Problem}");
                }

                if (zeroRowProblem is not null)
                {
                    failures.Add($"Nq={queries} Nk={keys}: {zeroRowProblem}");
                }
            }

            Assert.True(failures.Count == 0, $"{name}: " + string.Join("; ", failures));
        }

        /// <summary>
        /// Runs the kernel, the reference and the plain float32 twin; returns the accuracy measure (see <see cref="Accuracy"/>)
        /// and checks that rows with no visible key are exact zeros.
        /// </summary>
        internal static Accuracy.Measure Check(KernelCase kernel, int queries, int keys, int seed, out string? zeroRowProblem, float bound = 1f)
        {
            int d = kernel.Spec.HeadDimension;
            float[] query = TestData.Uniform(seed, queries * d, bound);
            float[] key = TestData.Uniform(seed + 1, keys * d, bound);
            float[] value = TestData.Uniform(seed + 2, keys * d, bound);
            float[] output = TestData.Poisoned(queries * d);
            double[] expected = new double[queries * d];
            float[] plain = new float[queries * d];

            kernel.Kernel(query, key, value, output);
            ReferenceAttention.Compute(kernel.Spec, query, key, value, expected);
            PlainFloatAttention.Compute(kernel.Spec, query, key, value, plain);

            zeroRowProblem = null;
            for (int row = 0; row < queries; row++)
            {
                bool anyVisible = Enumerable.Range(0, keys).Any(j => kernel.Spec.IsAllowed(row, j, queries, keys));
                if (!anyVisible && output.AsSpan(row * d, d).ContainsAnyExcept(0f))
                {
                    zeroRowProblem = $"row {row} sees no key but is not exactly zero";
                    break;
                }
            }

            return Accuracy.Check(output, expected, plain);
        }

        private static IEnumerable<(int Queries, int Keys)> Shapes(int headDimension)
        {
            // The reference is O(Nq Nk d) in double: keep N = 1000 for head dimensions up to 128.
            foreach (int n in SquareLengths)
            {
                if (n < 1000 || headDimension <= 128)
                {
                    yield return (n, n);
                }
            }

            foreach ((int Queries, int Keys) shape in RectangularShapes)
            {
                yield return shape;
            }
        }
    }
}
