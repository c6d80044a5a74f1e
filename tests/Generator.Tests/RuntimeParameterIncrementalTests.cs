using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// The binding of run-time parameters is part of the spec: moving a parameter, renaming an attribute-bound one or
    /// changing its attribute regenerates the kernel; an edit beside it does not.
    /// </summary>
    public sealed class RuntimeParameterIncrementalTests
    {
        private const string KernelFile = """
            using System;
            using KernelGen;

            namespace App;

            public static partial class Kernels
            {
                [AttentionKernel(32, Heads = 4)]
                public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
                    ReadOnlySpan<int> keyLengths, ReadOnlySpan<float> bias, [QueryLengths] ReadOnlySpan<int> lens);

                public static int Helper() => 1;
            }
            """;

        public static TheoryData<string, string, string, bool> Edits() => new()
        {
            { "ParametersReordered_Regenerates", "ReadOnlySpan<int> keyLengths, ReadOnlySpan<float> bias,", "ReadOnlySpan<float> bias, ReadOnlySpan<int> keyLengths,", true },
            { "AttributeChanged_Regenerates", "[QueryLengths] ReadOnlySpan<int> lens", "[KeyMask] ReadOnlySpan<bool> lens", true },
            { "AttributeBoundParameterRenamed_Regenerates", "ReadOnlySpan<int> lens)", "ReadOnlySpan<int> validQueries)", true },
            { "AttributeWrittenInFull_StaysCached", "[QueryLengths]", "[KernelGen.QueryLengthsAttribute()]", false },
            { "CommentAdded_StaysCached", "public static int Helper", "// a comment\n    public static int Helper", false },
        };

        [Theory]
        [MemberData(nameof(Edits))]
        public void Edit_RegeneratesOnlyWhenTheBindingChanges(string name, string find, string replace, bool regenerates)
        {
            string source = KernelFile.Replace("\r\n", "\n");
            Assert.Contains(find, source);
            Compilation compilation = GeneratorHarness.Compile(source);
            GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
            Assert.Single(driver.GetRunResult().Results.Single().GeneratedSources);
            SyntaxTree tree = compilation.SyntaxTrees.First();
            driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(source.Replace(find, replace)))));
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            Assert.Empty(result.Diagnostics);
            List<IncrementalStepRunReason> specs = result.TrackedSteps[TrackingNames.Specs].SelectMany(static s => s.Outputs).Select(static o => o.Reason).ToList();
            Assert.NotEmpty(specs);
            Assert.True(regenerates
                    ? specs.Any(static r => r is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New)
                    : specs.All(static r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged),
                $"{name}: spec step was {string.Join(", ", specs)}");
        }
    }
}
