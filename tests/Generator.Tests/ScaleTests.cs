using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using KernelGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// A project with 200 kernels (10 files of 20, every mask kind, many head dimensions): the generator's time per
    /// kernel from the driver's own timing, and an unrelated edit that must re-emit nothing.
    /// </summary>
    public sealed class ScaleTests
    {
        public const int Kernels = 200;

        private readonly ITestOutputHelper _output;

        public ScaleTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void TwoHundredKernels_GenerateOnce_AndAnUnrelatedEditReEmitsNothing()
        {
            // Warm-up on a copy (JIT of the generator and Roslyn), then the measured run on a fresh driver.
            string[] files = Enumerable.Range(0, Kernels / 20).Select(KernelFile).Append("namespace App { public static class Unrelated { public static int Value() => 1; } }").ToArray();
            GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(files));

            CSharpCompilation compilation = GeneratorHarness.Compile(files);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            GeneratorRunResult first = driver.GetRunResult().Results.Single();
            TimeSpan firstTime = driver.GetTimingInfo().GeneratorTimes.Single().ElapsedTime;
            Assert.Null(first.Exception);
            Assert.Empty(first.Diagnostics);
            Assert.Equal(Kernels, first.GeneratedSources.Length);

            SyntaxTree unrelated = compilation.SyntaxTrees.Last();
            Compilation edited = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(
                Microsoft.CodeAnalysis.Text.SourceText.From(unrelated.ToString().Replace("=> 1;", "=> 2;"))));
            driver = driver.RunGenerators(edited);
            GeneratorRunResult second = driver.GetRunResult().Results.Single();
            TimeSpan secondTime = driver.GetTimingInfo().GeneratorTimes.Single().ElapsedTime;

            var emitterRuns = second.TrackedOutputSteps.SelectMany(static s => s.Value)
                .Where(static s => s.Inputs.Any(static i => i.Source.Name == TrackingNames.Plans))
                .SelectMany(static s => s.Outputs).Select(static o => o.Reason).ToList();
            Assert.Equal(Kernels, emitterRuns.Count);
            Assert.All(emitterRuns, static reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
            Assert.All(second.TrackedSteps[TrackingNames.Specs].SelectMany(static s => s.Outputs),
                static o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));

            long characters = first.GeneratedSources.Sum(static s => (long)s.SourceText.Length);
            foreach (var step in second.TrackedSteps.Concat(second.TrackedOutputSteps))
            {
                _output.WriteLine($"  step {step.Key}: {step.Value.Sum(static r => r.ElapsedTime.TotalMilliseconds):F1} ms over {step.Value.Length} runs");
            }

            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"generator: {Kernels} kernels in {firstTime.TotalMilliseconds:F0} ms ({firstTime.TotalMilliseconds / Kernels:F2} ms per kernel, {characters / Kernels} characters each); " +
                $"after an unrelated edit {secondTime.TotalMilliseconds:F1} ms, 0 of {Kernels} re-emitted"));
        }

        /// <summary>Twenty kernels: the mask kinds in turn, head dimensions spread from 1 to 512.</summary>
        private static string KernelFile(int file)
        {
            int[] dimensions = { 1, 3, 16, 32, 48, 64, 80, 96, 100, 128, 160, 192, 256, 512 };
            var text = new StringBuilder("using System;\nusing KernelGen;\nnamespace App.Part").Append(file).Append(";\npublic static partial class Kernels\n{\n");
            for (int k = 0; k < 20; k++)
            {
                int index = file * 20 + k;
                int d = dimensions[index % dimensions.Length];
                text.Append("    [AttentionKernel(").Append(d).Append(")]\n");
                text.Append((index % 5) switch
                {
                    0 => "",
                    1 => "    [CausalMask]\n",
                    2 => "    [CausalMask]\n    [SlidingWindow(" + (16 + index) + ", 0)]\n",
                    3 => "    [SlidingWindow(" + (3 + index) + ", " + (index % 7) + ")]\n    [GlobalTokens(0, " + (index + 1) + ")]\n",
                    _ => "    [CausalMask]\n    [SlidingWindow(256, 0)]\n    [GlobalTokens(0, 1, 2, 3)]\n",
                });
                text.Append("    public static partial void K").Append(index).Append("(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);\n");
            }

            return text.Append("}\n").ToString();
        }
    }
}
