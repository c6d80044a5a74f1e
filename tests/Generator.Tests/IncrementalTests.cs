using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// The generator's cache: edits that do not touch a kernel's spec must leave the spec, plan and output steps
    /// cached, and every edit to a spec field must reach the output.
    /// </summary>
    public sealed class IncrementalTests
    {
        private const string KernelFile = """
            using System;
            using KernelGen;

            namespace App
            {
                public static partial class Kernels
                {
                    [AttentionKernel(64)]
                    [CausalMask]
                    [SlidingWindow(16, 0)]
                    [GlobalTokens(0, 5)]
                    public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

                    public static int Helper() => 1;
                }
            }
            """;

        private const string OtherFile = """
            namespace App
            {
                public static class Other
                {
                    public static int Answer() => 42;
                }
            }
            """;

        public static TheoryData<string, string, string> UnrelatedEdits() => new()
        {
            { "CommentAdded_StaysCached", "public static int Helper", "// a comment\n        public static int Helper" },
            { "UnrelatedMethodBodyChanged_StaysCached", "Helper() => 1;", "Helper() => 2;" },
            { "LinesInsertedAboveKernel_StaysCached", "public static partial class Kernels\n    {", "public static partial class Kernels\n    {\n        private const int Padding = 3;\n" },
        };

        public static TheoryData<string, string, string> SpecEdits() => new()
        {
            { "HeadDimensionChange_Regenerates", "[AttentionKernel(64)]", "[AttentionKernel(128)]" },
            { "ScaleChange_Regenerates", "[AttentionKernel(64)]", "[AttentionKernel(64, Scale = 0.5f)]" },
            { "CausalRemoved_Regenerates", "[CausalMask]", string.Empty },
            { "WindowChange_Regenerates", "[SlidingWindow(16, 0)]", "[SlidingWindow(32, 0)]" },
            { "GlobalsChange_Regenerates", "[GlobalTokens(0, 5)]", "[GlobalTokens(0, 6)]" },
            { "MethodRenamed_Regenerates", "void Attend(", "void Attend2(" },
            { "ParameterRenamed_Regenerates", "Span<float> output)", "Span<float> result)" },
            { "AccessibilityChange_Regenerates", "public static partial void", "internal static partial void" },
        };

        [Theory]
        [MemberData(nameof(UnrelatedEdits))]
        public void EditInKernelFile_OutsideSpec_StaysCached(string name, string find, string replace)
        {
            GeneratorRunResult result = RunTwice(KernelFile.Replace("\r\n", "\n"), compilation => Edit(compilation, 0, find, replace));
            AssertSpecAndOutputCached(result, name);
        }

        [Fact]
        public void UnrelatedFileEdited_StaysCached()
        {
            GeneratorRunResult result = RunTwice(KernelFile, compilation => Edit(compilation, 1, "42", "43"));
            AssertSpecAndOutputCached(result, nameof(UnrelatedFileEdited_StaysCached));
        }

        [Fact]
        public void UnrelatedFileAdded_StaysCached()
        {
            GeneratorRunResult result = RunTwice(KernelFile, compilation =>
                compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace App { public static class Added { } }", GeneratorHarness.ParseOptions, path: "Added.cs")));
            AssertSpecAndOutputCached(result, nameof(UnrelatedFileAdded_StaysCached));
        }

        [Theory]
        [MemberData(nameof(SpecEdits))]
        public void SpecFieldEdited_Regenerates(string name, string find, string replace)
        {
            Assert.Contains(find, KernelFile.Replace("\r\n", "\n"));
            GeneratorRunResult result = RunTwice(KernelFile.Replace("\r\n", "\n"), compilation => Edit(compilation, 0, find, replace));

            IEnumerable<IncrementalStepRunReason> specs = Reasons(result, TrackingNames.Specs);
            Assert.True(specs.Any(static r => r is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New), $"{name}: spec step was {string.Join(", ", specs)}");
            Assert.Contains(Reasons(result, TrackingNames.Plans), static r => r is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
        }

        [Fact]
        public void TensorsPackageReferenced_AddsTheTensorForm()
        {
            const string batched = """
                using System;
                using KernelGen;

                namespace App;

                public static partial class Batched
                {
                    [AttentionKernel(32, Heads = 4)]
                    public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);
                }
                """;
            Compilation compilation = GeneratorHarness.Compile(batched, OtherFile);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            Assert.DoesNotContain("TensorSpan", driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString());

            driver = driver.RunGenerators(compilation.AddReferences(MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.TensorSpan<float>).Assembly.Location)));
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            Assert.Contains(Reasons(result, TrackingNames.Specs), static r => r is IncrementalStepRunReason.Modified);
            Assert.Contains("TensorSpan", result.GeneratedSources.Single().SourceText.ToString());
        }

        [Fact]
        public void UnrelatedEdit_WithAnInvalidKernel_LeavesItsStubCached()
        {
            // The stub path (a declaration with a KG error gets a throwing body) caches like the kernel path.
            string invalid = KernelFile.Replace("\r\n", "\n").Replace("[AttentionKernel(64)]", "[AttentionKernel(0)]");
            Compilation compilation = GeneratorHarness.Compile(invalid, OtherFile);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            Assert.EndsWith(".Invalid.g.cs", driver.GetRunResult().Results.Single().GeneratedSources.Single().HintName);

            GeneratorRunResult result = driver.RunGenerators(Edit(compilation, 0, "Helper() => 1;", "Helper() => 2;")).GetRunResult().Results.Single();
            IEnumerable<IncrementalStepRunReason> stubs = Reasons(result, TrackingNames.Stubs);
            Assert.NotEmpty(stubs);
            Assert.All(stubs, static r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
            var outputs = result.TrackedOutputSteps.SelectMany(static s => s.Value)
                .Where(static s => s.Inputs.Any(static i => i.Source.Name == TrackingNames.Stubs))
                .SelectMany(static s => s.Outputs).Select(static o => o.Reason).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, static r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        }

        [Fact]
        public void ErrorFixed_ReplacesTheStubWithTheKernel()
        {
            string invalid = KernelFile.Replace("\r\n", "\n").Replace("[AttentionKernel(64)]", "[AttentionKernel(0)]");
            Compilation compilation = GeneratorHarness.Compile(invalid, OtherFile);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            GeneratorRunResult result = driver.RunGenerators(Edit(compilation, 0, "[AttentionKernel(0)]", "[AttentionKernel(64)]")).GetRunResult().Results.Single();
            Assert.Equal("App.Kernels.Attend.g.cs", result.GeneratedSources.Single().HintName);
            Assert.Contains(Reasons(result, TrackingNames.Stubs), static r => r is IncrementalStepRunReason.Removed);
        }

        private static GeneratorRunResult RunTwice(string kernelSource, System.Func<Compilation, Compilation> edit)
        {
            Compilation compilation = GeneratorHarness.Compile(kernelSource, OtherFile);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            Assert.Single(driver.GetRunResult().Results.Single().GeneratedSources);
            driver = driver.RunGenerators(edit(compilation));
            return driver.GetRunResult().Results.Single();
        }

        private static Compilation Edit(Compilation compilation, int treeIndex, string find, string replace)
        {
            SyntaxTree tree = compilation.SyntaxTrees.ElementAt(treeIndex);
            string text = tree.ToString();
            Assert.Contains(find, text);
            SyntaxTree edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text.Replace(find, replace)));
            return compilation.ReplaceSyntaxTree(tree, edited);
        }

        private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
            result.TrackedSteps[step].SelectMany(static s => s.Outputs).Select(static o => o.Reason);

        private static void AssertSpecAndOutputCached(GeneratorRunResult result, string name)
        {
            foreach (string step in new[] { TrackingNames.Specs, TrackingNames.Plans })
            {
                IEnumerable<IncrementalStepRunReason> reasons = Reasons(result, step);
                Assert.True(reasons.Any(), $"{name}: step {step} did not run");
                Assert.True(
                    reasons.All(static r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged),
                    $"{name}: step {step} was {string.Join(", ", reasons)}");
            }

            // The source output fed by the plans: the emitter did not run again.
            var outputs = result.TrackedOutputSteps.SelectMany(static s => s.Value)
                .Where(static s => s.Inputs.Any(static i => i.Source.Name == TrackingNames.Plans))
                .SelectMany(static s => s.Outputs).Select(static o => o.Reason).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, static r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        }
    }
}
