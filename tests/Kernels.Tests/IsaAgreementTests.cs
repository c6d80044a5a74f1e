using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Xunit;
using KernelGen.Tests;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// The instruction-set matrix, measured: every catalogued kernel on a fixed set of shapes, its largest error against
    /// the reference on the path this process takes, and (when <c>KERNELGEN_ISA_DIR</c> names a folder, as in .ci/run)
    /// agreement with the outputs the earlier runs of the matrix left there, element by element.
    /// </summary>
    public sealed class IsaAgreementTests
    {
        /// <summary>
        /// How far two paths may differ: ten times tighter than the old fixed reference tolerance of 1e-4 (paths differ only
        /// in summation order and FMA use; measured 4e-7), so a path that drifts is caught even where it still meets
        /// the accuracy criterion of <see cref="Accuracy"/>.
        /// </summary>
        private const double CrossPathTolerance = 1e-5;

        private static readonly (int Queries, int Keys)[] Shapes = { (1, 1), (17, 17), (65, 100), (100, 65), (257, 257), (1, 2100) };

        /// <summary>The path the generated dispatch takes in this process (the same tests, in the same order).</summary>
        public static string CurrentPath() =>
            Vector512.IsHardwareAccelerated ? "Vector512" :
            Vector256.IsHardwareAccelerated ? "Vector256" :
            Vector128.IsHardwareAccelerated ? "Vector128" : "Scalar";

        [Fact]
        public void Outputs_MatchTheReference_AndAgreeAcrossInstructionSets()
        {
            var outputs = new List<float>();
            var inaccurate = new List<string>();
            double maxError = 0;
            string worst = "";
            string[] names = KernelCatalog.Names.OrderBy(static n => n, StringComparer.Ordinal).ToArray();
            foreach (string name in names)
            {
                KernelCase kernel = KernelCatalog.Get(name);
                int d = kernel.Spec.HeadDimension;
                foreach ((int queries, int keys) in Shapes)
                {
                    float[] query = TestData.Uniform(queries * 31 + keys, queries * d);
                    float[] key = TestData.Uniform(keys * 17 + 1, keys * d);
                    float[] value = TestData.Uniform(keys * 13 + 2, keys * d);
                    float[] output = TestData.Poisoned(queries * d);
                    double[] expected = new double[queries * d];
                    float[] plain = new float[queries * d];
                    kernel.Kernel(query, key, value, output);
                    ReferenceAttention.Compute(kernel.Spec, query, key, value, expected);
                    PlainFloatAttention.Compute(kernel.Spec, query, key, value, plain);
                    if (Accuracy.Check(output, expected, plain).Problem is { } problem)
                    {
                        inaccurate.Add($"{name} Nq={queries} Nk={keys}: {problem}");
                    }

                    double error = TestData.MaxAbsError(output, expected);
                    if (!(error <= maxError))
                    {
                        (maxError, worst) = (error, $"{name} Nq={queries} Nk={keys}");
                    }

                    outputs.AddRange(output);
                }
            }

            string path = CurrentPath();
            Assert.True(inaccurate.Count == 0, $"{path}: " + string.Join("; ", inaccurate.Take(6)));

            string? folder = Environment.GetEnvironmentVariable("KERNELGEN_ISA_DIR");
            if (string.IsNullOrEmpty(folder))
            {
                return;
            }

            Directory.CreateDirectory(folder);
            float[] mine = outputs.ToArray();
            var disagreements = new List<string>();
            string summary = $"{path}: max abs error {maxError:E2} against the reference ({worst}), {names.Length} kernels x {Shapes.Length} shapes, {mine.Length} outputs";
            foreach (string other in Directory.GetFiles(folder, "*.bin").Where(f => Path.GetFileNameWithoutExtension(f) != path).Order(StringComparer.Ordinal))
            {
                float[] theirs = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(other)).ToArray();
                if (theirs.Length != mine.Length)
                {
                    disagreements.Add($"{Path.GetFileName(other)} holds {theirs.Length} outputs, this run {mine.Length}");
                    continue;
                }

                double largest = 0;
                for (int i = 0; i < mine.Length; i++)
                {
                    largest = Math.Max(largest, Math.Abs(mine[i] - theirs[i]));
                }

                summary += $"; differs from {Path.GetFileNameWithoutExtension(other)} by at most {largest:E2}";
                if (!(largest <= CrossPathTolerance))
                {
                    disagreements.Add($"{path} and {Path.GetFileNameWithoutExtension(other)} differ by {largest:E3}");
                }
            }

            File.WriteAllBytes(Path.Combine(folder, path + ".bin"), MemoryMarshal.AsBytes(mine.AsSpan()).ToArray());
            File.WriteAllText(Path.Combine(folder, path + ".txt"), summary + Environment.NewLine);
            Assert.True(disagreements.Count == 0, string.Join("; ", disagreements));
        }
    }
}
