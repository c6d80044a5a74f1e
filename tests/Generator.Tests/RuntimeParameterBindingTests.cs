using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// Run-time parameters bound the .NET way: by name in any order after <c>int batch</c>, or by attribute under the
    /// user's own names. Each declaration compiles with no diagnostic, and a call gives bit for bit what the kernel
    /// declared in the documented order gives on the same inputs (the same engine and arithmetic; a parameter passed by
    /// position instead of by its binding would swap the two lengths or the bias and the sinks, and differ). The tensor
    /// form, which passes the same parameters on to the kernel class, is checked the same way.
    /// </summary>
    public sealed class RuntimeParameterBindingTests
    {
        /// <summary>The documented order, then shuffled orders, then attributes (and a mix of both) with other names.</summary>
        private static readonly string[] Declarations =
        {
            "ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths, Span<float> logSumExp, ReadOnlySpan<float> bias, ReadOnlySpan<float> sinks",
            "ReadOnlySpan<float> sinks, ReadOnlySpan<float> bias, Span<float> logSumExp, ReadOnlySpan<int> queryLengths, ReadOnlySpan<int> keyLengths",
            "ReadOnlySpan<int> queryLengths, ReadOnlySpan<float> sinks, ReadOnlySpan<int> keyLengths, ReadOnlySpan<float> bias, Span<float> logSumExp",
            "Span<float> logSumExp, ReadOnlySpan<int> keyLengths, ReadOnlySpan<float> bias, ReadOnlySpan<int> queryLengths, ReadOnlySpan<float> sinks",
            "[Sinks] ReadOnlySpan<float> sinkLogits, [QueryLengths] ReadOnlySpan<int> validQueries, [LogSumExp] Span<float> lse, [KeyLengths] ReadOnlySpan<int> validKeys, [Bias] ReadOnlySpan<float> scoreBias",
            "[QueryLengths] ReadOnlySpan<int> keyLengths, [KeyLengths] ReadOnlySpan<int> queryLengths, ReadOnlySpan<float> bias, [LogSumExp] Span<float> l, ReadOnlySpan<float> sinks",
        };

        /// <summary>The table names bound by each declaration, in declaration order (the wrapper passes arrays by these).</summary>
        private static readonly string[][] Bound =
        {
            new[] { "keyLengths", "queryLengths", "logSumExp", "bias", "sinks" },
            new[] { "sinks", "bias", "logSumExp", "queryLengths", "keyLengths" },
            new[] { "queryLengths", "sinks", "keyLengths", "bias", "logSumExp" },
            new[] { "logSumExp", "keyLengths", "bias", "queryLengths", "sinks" },
            new[] { "sinks", "queryLengths", "logSumExp", "keyLengths", "bias" },
            new[] { "queryLengths", "keyLengths", "bias", "logSumExp", "sinks" },
        };

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void AnyOrderOrAttributes_GiveTheDocumentedOrdersBits(bool tensorForm)
        {
            (Assembly assembly, _) = CompileAndLoad(Source(tensorForm), tensorForm);
            Type type = assembly.GetType("Binding.Kernels")!;
            var random = new Random(25);
            for (int trial = 0; trial < 4; trial++)
            {
                const int batch = 2, heads = 4, d = 8;
                int queries = random.Next(1, 20), keys = random.Next(1, 40);
                float[] query = PropertyTests.Uniform(random, batch * queries * heads * d);
                float[] key = PropertyTests.Uniform(random, batch * keys * 2 * d);
                float[] value = PropertyTests.Uniform(random, key.Length);
                int[] keyLengths = { keys, random.Next(0, keys + 1) };
                int[] queryLengths = { random.Next(0, queries + 1), queries };
                float[] bias = PropertyTests.Uniform(random, queries * keys);
                float[] sinks = PropertyTests.Uniform(random, heads);
                float[]? expected = null, expectedLse = null;
                for (int k = 0; k < Declarations.Length; k++)
                {
                    float[] output = new float[query.Length], logSumExp = new float[batch * heads * queries];
                    if (tensorForm)
                    {
                        type.GetMethod("TensorCall" + k)!.Invoke(null, new object[] { query, key, value, output, batch, queries, keys, keyLengths, queryLengths, logSumExp, bias, sinks });
                    }
                    else
                    {
                        type.GetMethod("Call" + k)!.Invoke(null, new object[] { query, key, value, output, batch, keyLengths, queryLengths, logSumExp, bias, sinks });
                    }

                    expected ??= output;
                    expectedLse ??= logSumExp;
                    Assert.True(expected.AsSpan().SequenceEqual(output), $"declaration {k} ({Declarations[k]}): output differs from the documented order's");
                    Assert.True(expectedLse.AsSpan().SequenceEqual(logSumExp), $"declaration {k} ({Declarations[k]}): log-sum-exp differs from the documented order's");
                }
            }
        }

        [Fact]
        public void AttributeBoundParameter_IsNamedByTheRuntimesExceptions()
        {
            // validKeys has one entry for two items: the runtime's ArgumentException names the caller's parameter.
            (Assembly assembly, _) = CompileAndLoad(Source());
            MethodInfo call = assembly.GetType("Binding.Kernels")!.GetMethod("Call4")!;
            const int d = 8;
            var exception = Assert.Throws<TargetInvocationException>(() => call.Invoke(null, new object[]
            {
                new float[2 * 4 * d], new float[2 * 2 * d], new float[2 * 2 * d], new float[2 * 4 * d], 2, new[] { 1 }, new[] { 1, 1 }, new float[8], new float[1], new float[4],
            }));
            Assert.Equal("validKeys", Assert.IsAssignableFrom<ArgumentException>(exception.InnerException).ParamName);
        }

        [Fact]
        public void AttributeBoundParameter_IsNamedInTheInfo_AndTheHeader()
        {
            (GeneratorRunResult result, _) = GeneratorHarness.Run(Source());
            string generated = result.GeneratedSources.Single(s => s.HintName.Contains("K4")).SourceText.ToString();
            Assert.Contains("{ SinksName = \"sinkLogits\", QueryLengthsName = \"validQueries\", LogSumExpName = \"lse\", KeyLengthsName = \"validKeys\", BiasName = \"scoreBias\" }", generated);
            Assert.Contains("// Run-time parameters: sinkLogits[h] joins every softmax denominator of query head h as e^sinks[h], validQueries[b] queries valid per item", generated);
            string documented = result.GeneratedSources.Single(s => s.HintName.Contains("K0")).SourceText.ToString();
            Assert.DoesNotContain("Name = ", documented);
        }

        [Theory]
        [InlineData("[KeyLengths] ReadOnlySpan<int> custom", "KeyLengths")]
        [InlineData("[QueryLengths] ReadOnlySpan<int> custom", "QueryLengths")]
        [InlineData("[KeyMask] ReadOnlySpan<bool> custom", "KeyMask")]
        [InlineData("[AttentionMask] ReadOnlySpan<bool> custom", "Mask")]
        [InlineData("[LogSumExp] Span<float> custom", "LogSumExp")]
        [InlineData("[SequenceStarts] ReadOnlySpan<int> custom", "SequenceStarts")]
        [InlineData("[QuerySequenceStarts] ReadOnlySpan<int> custom, ReadOnlySpan<int> keySequenceStarts", "QuerySequenceStarts")]
        [InlineData("[KeySequenceStarts] ReadOnlySpan<int> custom, ReadOnlySpan<int> querySequenceStarts", "KeySequenceStarts")]
        [InlineData("[RuntimeScale] float custom", "Scale")]
        [InlineData("[AlibiSlopes] ReadOnlySpan<float> custom", "AlibiSlopes")]
        [InlineData("[Bias] ReadOnlySpan<float> custom", "Bias")]
        [InlineData("[Sinks] ReadOnlySpan<float> custom", "Sinks")]
        public void EveryAttribute_BindsItsParameter_UnderTheUsersName(string parameters, string member)
        {
            // [AlibiSlopes] resolves to the attribute although the runtime has a static class KernelGen.AlibiSlopes.
            string source = DiagnosticTests.Wrap("[AttentionKernel(16, Heads = 2)]\n        [Alibi]\n        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, " +
                $"ReadOnlySpan<float> value, Span<float> output, int batch, {parameters});");
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);
            Assert.Empty(result.Diagnostics);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            string generated = Assert.Single(result.GeneratedSources).SourceText.ToString();
            Assert.Contains($"                {member} = custom,\n", generated);
            Assert.Contains($"{member}Name = \"custom\"", generated);
            string header = generated.Substring(0, generated.IndexOf("#nullable", StringComparison.Ordinal));
            Assert.Contains("// Run-time parameters: custom", header);
            if (member == "AlibiSlopes")
            {
                Assert.Contains("Replaced per call by custom when given.", generated);
            }
        }

        [Fact]
        public void SingleHeadScale_BindsByRuntimeScaleAttribute()
        {
            string source = DiagnosticTests.Wrap("[AttentionKernel(8)]\n        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, [RuntimeScale] float temperature);\n" +
                "        public static void Call(float[] q, float[] k, float[] v, float[] o, float t) => Attend(q, k, v, o, t);");
            (Assembly assembly, GeneratorRunResult result) = CompileAndLoad(source);
            Assert.Empty(result.Diagnostics);
            MethodInfo call = assembly.GetType("App.Kernels")!.GetMethod("Call")!;
            var exception = Assert.Throws<TargetInvocationException>(() => call.Invoke(null, new object[] { new float[8], new float[8], new float[8], new float[8], -1f }));
            Assert.Equal("temperature", Assert.IsAssignableFrom<ArgumentException>(exception.InnerException).ParamName);
        }

        /// <summary>One kernel per declaration (GQA 4 over 2 heads, causal, d = 8) and an array wrapper in one fixed order.</summary>
        private static string Source(bool tensors = false)
        {
            var source = new StringBuilder($"using System;\nusing KernelGen;\n{(tensors ? "using System.Numerics.Tensors;\n" : string.Empty)}namespace Binding;\npublic static partial class Kernels\n{{\n");
            for (int k = 0; k < Declarations.Length; k++)
            {
                source.Append("    [AttentionKernel(8, Heads = 4, KeyValueHeads = 2)]\n    [CausalMask]\n");
                source.Append($"    public static partial void K{k}(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, {Declarations[k]});\n");
                source.Append($"    public static void Call{k}(float[] q, float[] k, float[] v, float[] o, int batch, int[] keyLengths, int[] queryLengths, float[] logSumExp, float[] bias, float[] sinks)\n");
                source.Append($"        => K{k}(q, k, v, o, batch, {string.Join(", ", Bound[k])});\n\n");
                if (tensors)
                {
                    // The tensor form: B from the tensors, the run-time parameters in the declaration's order.
                    source.Append($"    public static void TensorCall{k}(float[] q, float[] k, float[] v, float[] o, int batch, int nq, int nk, int[] keyLengths, int[] queryLengths, float[] logSumExp, float[] bias, float[] sinks)\n");
                    source.Append($"        => K{k}(new ReadOnlyTensorSpan<float>(q, [batch, nq, 4, 8]), new ReadOnlyTensorSpan<float>(k, [batch, nk, 2, 8]), new ReadOnlyTensorSpan<float>(v, [batch, nk, 2, 8]),\n");
                    source.Append($"            new TensorSpan<float>(o, [batch, nq, 4, 8]), {string.Join(", ", Bound[k])});\n\n");
                }
            }

            return source.Append("}\n").ToString();
        }

        private static (Assembly Assembly, GeneratorRunResult Result) CompileAndLoad(string source, bool tensors = false)
        {
            (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(tensors, source);
            Assert.Empty(result.Diagnostics);
            Assert.Empty(GeneratorHarness.CompilerProblems(output));
            using var stream = new MemoryStream();
            var emitted = output.Emit(stream);
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(static d => d.Severity == DiagnosticSeverity.Error).Take(5)));
            stream.Position = 0;
            return (new AssemblyLoadContext("binding", isCollectible: true).LoadFromStream(stream), result);
        }
    }
}
