using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using KernelGen.Kernels.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// Random valid specs (head dimension, scale, causal, window sides, global positions) are generated, compiled in
    /// memory with overflow checking on, loaded, and run against the reference on random shapes. CI runs
    /// <see cref="DefaultRounds"/> rounds of <see cref="KernelsPerRound"/> specs; KERNELGEN_PROPERTY_ROUNDS runs more.
    /// </summary>
    public sealed class PropertyTests
    {
        public const int DefaultRounds = 2;
        public const int KernelsPerRound = 12;

        private readonly ITestOutputHelper _output;

        public PropertyTests(ITestOutputHelper output) => _output = output;

        private sealed record RandomSpec(string Attributes, AttentionSpec Spec);

        [Fact]
        public void RandomValidSpecs_CompileLoadAndMatchTheReference()
        {
            int rounds = int.TryParse(Environment.GetEnvironmentVariable("KERNELGEN_PROPERTY_ROUNDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) ? r : DefaultRounds;
            var failures = new List<string>();
            int shapes = 0;
            for (int round = 0; round < rounds; round++)
            {
                var random = new Random(7000 + round);
                RandomSpec[] specs = Enumerable.Range(0, KernelsPerRound).Select(_ => NextSpec(random)).ToArray();
                MethodInfo[] calls = CompileAndLoad(specs, round);
                for (int k = 0; k < specs.Length; k++)
                {
                    AttentionSpec spec = specs[k].Spec;
                    foreach ((int queries, int keys) in Shapes(random, spec.HeadDimension))
                    {
                        shapes++;
                        int d = spec.HeadDimension;
                        float[] query = Uniform(random, queries * d), key = Uniform(random, keys * d), value = Uniform(random, keys * d);
                        float[] output = new float[queries * d];
                        output.AsSpan().Fill(float.NaN);
                        double[] expected = new double[queries * d];
                        float[] plain = new float[queries * d];
                        calls[k].Invoke(null, new object[] { query, key, value, output });
                        ReferenceAttention.Compute(spec, query, key, value, expected);
                        PlainFloatAttention.Compute(spec, query, key, value, plain);
                        if (Accuracy.Check(output, expected, plain).Problem is { } problem)
                        {
                            failures.Add($"round {round} kernel {k} {specs[k].Attributes.Replace("\n", " ")} Nq={queries} Nk={keys}: {problem}");
                        }
                    }
                }
            }

            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"property: {rounds * KernelsPerRound} random specs compiled and run on {shapes} shapes"));
            Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        }

        private static RandomSpec NextSpec(Random random)
        {
            int d = random.Next(10) switch { 0 => 256, 1 => 512, 2 => random.Next(1, 8), _ => random.Next(1, 161) };
            bool defaultScale = random.Next(2) == 0;
            float scale = defaultScale ? 1f / MathF.Sqrt(d) : (float)Math.Round(0.05 + random.NextDouble() * 1.5, 3);
            bool causal = random.Next(2) == 0;
            AttentionWindow? window = null;
            int[] globals = Array.Empty<int>();
            var attributes = new StringBuilder(defaultScale
                ? $"[AttentionKernel({d})]"
                : string.Create(CultureInfo.InvariantCulture, $"[AttentionKernel({d}, Scale = {scale:R}f)]"));
            if (causal)
            {
                attributes.Append("\n[CausalMask]");
            }

            if (random.Next(3) != 0)
            {
                int left = random.Next(4) == 0 ? random.Next(0, 4) : random.Next(0, 300);
                int right = causal ? 0 : (random.Next(4) == 0 ? random.Next(0, 4) : random.Next(0, 300));
                window = new AttentionWindow(left, right);
                attributes.Append($"\n[SlidingWindow({left}, {right})]");
                if (random.Next(2) == 0)
                {
                    globals = Enumerable.Range(0, random.Next(1, 7)).Select(_ => random.Next(0, 400)).Distinct().ToArray();
                    attributes.Append($"\n[GlobalTokens({string.Join(", ", globals)})]");
                }
            }

            return new RandomSpec(attributes.ToString(), new AttentionSpec(d, defaultScale ? 0f : scale, causal, window, globals));
        }

        private static IEnumerable<(int Queries, int Keys)> Shapes(Random random, int d)
        {
            yield return (1, 1);
            yield return (1, random.Next(1, 300));
            int n = random.Next(2, d > 200 ? 80 : 260);
            yield return (n, n);
            yield return (random.Next(0, 100), random.Next(0, 100));
            yield return (random.Next(8, 40), random.Next(100, 300));
        }

        /// <summary>Floats uniform in [-1, 1) from <paramref name="random"/> (shared with BatchedCombinationTests).</summary>
        internal static float[] Uniform(Random random, int length)
        {
            float[] data = new float[length];
            for (int i = 0; i < length; i++)
            {
                data[i] = (float)(random.NextDouble() * 2 - 1);
            }

            return data;
        }

        /// <summary>Generates, compiles (checked arithmetic, optimised) and loads the specs; returns each kernel's array wrapper.</summary>
        private static MethodInfo[] CompileAndLoad(RandomSpec[] specs, int round)
        {
            var source = new StringBuilder("using System;\nusing KernelGen;\nnamespace Property;\npublic static partial class Kernels\n{\n");
            for (int k = 0; k < specs.Length; k++)
            {
                source.Append(specs[k].Attributes.Replace("\n", "\n    ").Insert(0, "    ")).Append('\n');
                source.Append($"    public static partial void K{k}(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);\n");
                source.Append($"    public static void Call{k}(float[] q, float[] k, float[] v, float[] o) => K{k}(q, k, v, o);\n\n");
            }

            source.Append("}\n");
            CSharpCompilation compilation = GeneratorHarness.Compile(source.ToString());
            compilation = compilation.WithOptions(compilation.Options.WithOptimizationLevel(OptimizationLevel.Release).WithOverflowChecks(true));
            GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var generatorDiagnostics);
            Assert.Empty(generatorDiagnostics);
            using var stream = new MemoryStream();
            var emitted = output.Emit(stream);
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(static d => d.Severity == DiagnosticSeverity.Error)) + "\n" + source);
            Assert.Empty(emitted.Diagnostics.Where(static d => d.Severity >= DiagnosticSeverity.Warning));
            stream.Position = 0;
            var context = new AssemblyLoadContext($"property-{round}", isCollectible: true);
            Assembly assembly = context.LoadFromStream(stream);
            Type kernels = assembly.GetType("Property.Kernels")!;
            return Enumerable.Range(0, specs.Length).Select(k => kernels.GetMethod($"Call{k}")!).ToArray();
        }
    }
}
