using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// The diagnostics of run-time parameters and signatures, each with its exact message and the exact text it points
    /// at, and the exact set the generator reports for the declaration (one mistake, one diagnostic).
    /// </summary>
    public sealed class RuntimeParameterDiagnosticTests
    {
        private const string Spans = "ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output";

        [Theory]
        [InlineData("ReadOnlySpan<int> keyLength", "ReadOnlySpan<int> keyLength",
            "Parameter 'keyLength' of 'Attend' is not a run-time parameter; did you mean 'keyLengths'? (to keep the name, mark it [KeyLengths])")]
        [InlineData("ReadOnlySpan<int> KeyLengths", "ReadOnlySpan<int> KeyLengths",
            "Parameter 'KeyLengths' of 'Attend' is not a run-time parameter; did you mean 'keyLengths'? (to keep the name, mark it [KeyLengths])")]
        [InlineData("ReadOnlySpan<int> lengths", "ReadOnlySpan<int> lengths",
            "Parameter 'lengths' of 'Attend' is not a run-time parameter; did you mean 'keyLengths' or 'queryLengths'? (to keep the name, mark it [KeyLengths] or [QueryLengths])")]
        [InlineData("ReadOnlySpan<float> slopes", "ReadOnlySpan<float> slopes",
            "Parameter 'slopes' of 'Attend' is not a run-time parameter; did you mean 'alibiSlopes'? (to keep the name, mark it [AlibiSlopes])")]
        [InlineData("ReadOnlySpan<int> cuSeqlens", "ReadOnlySpan<int> cuSeqlens",
            "Parameter 'cuSeqlens' of 'Attend' is not a run-time parameter; one of type 'ReadOnlySpan<int>' is 'keyLengths', 'queryLengths', 'sequenceStarts', 'querySequenceStarts' or 'keySequenceStarts': rename it, or mark it with that parameter's attribute (e.g. [KeyLengths])")]
        [InlineData("Span<float> lse", "Span<float> lse",
            "Parameter 'lse' of 'Attend' is not a run-time parameter; one of type 'Span<float>' is 'logSumExp': rename it, or mark it with that parameter's attribute (e.g. [LogSumExp])")]
        [InlineData("ReadOnlySpan<double> extra", "ReadOnlySpan<double> extra",
            "Parameter 'extra' of 'Attend' is not a run-time parameter, and none has type 'ReadOnlySpan<double>' (docs/batched.md lists them); remove it")]
        [InlineData("ReadOnlySpan<long> keyLengths", "ReadOnlySpan<long> keyLengths",
            "Parameter 'keyLengths' of 'Attend' is 'ReadOnlySpan<long>', but the run-time parameter 'keyLengths' is 'ReadOnlySpan<int>'; declare it as 'ReadOnlySpan<int> keyLengths'")]
        [InlineData("double scale", "double scale",
            "Parameter 'scale' of 'Attend' is 'double', but the run-time parameter 'scale' is 'float'; declare it as 'float scale'")]
        [InlineData("in ReadOnlySpan<int> keyLengths", "in ReadOnlySpan<int> keyLengths",
            "Parameter 'keyLengths' of 'Attend' is declared 'in'; remove 'in' (run-time parameters are passed by value)")]
        public void KG0015_UnknownName_Type_Or_Modifier(string parameter, string pointsAt, string message)
        {
            AssertOnly(Batched(parameter), "KG0015", pointsAt, message);
        }

        [Theory]
        [InlineData("ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> sequenceStarts", "ReadOnlySpan<int> sequenceStarts",
            "Parameter 'sequenceStarts' of 'Attend' packs the items back to back, so every token is valid; remove 'keyLengths', or remove 'sequenceStarts' to keep padded items")]
        [InlineData("ReadOnlySpan<int> sequenceStarts, ReadOnlySpan<bool> mask, ReadOnlySpan<int> queryLengths", "ReadOnlySpan<int> sequenceStarts",
            "Parameter 'sequenceStarts' of 'Attend' packs the items back to back, so every token is valid; remove 'queryLengths' and 'mask', or remove 'sequenceStarts' to keep padded items")]
        [InlineData("ReadOnlySpan<int> keySequenceStarts, ReadOnlySpan<int> querySequenceStarts, [KeyLengths] ReadOnlySpan<int> lens", "ReadOnlySpan<int> querySequenceStarts",
            "Parameter 'querySequenceStarts' of 'Attend' packs the items back to back, so every token is valid; remove 'lens', or remove 'querySequenceStarts' and 'keySequenceStarts' to keep padded items")]
        [InlineData("ReadOnlySpan<int> sequenceStarts, ReadOnlySpan<int> querySequenceStarts, ReadOnlySpan<int> keySequenceStarts", "ReadOnlySpan<int> querySequenceStarts",
            "Parameter 'querySequenceStarts' of 'Attend' and 'sequenceStarts' both give the packed starts; remove 'sequenceStarts' (queries and keys at the same starts) or 'querySequenceStarts' and 'keySequenceStarts'")]
        [InlineData("ReadOnlySpan<int> querySequenceStarts", "ReadOnlySpan<int> querySequenceStarts",
            "Parameter 'querySequenceStarts' of 'Attend' comes with the key rows' starts; add 'ReadOnlySpan<int> keySequenceStarts' (or [KeySequenceStarts]), or remove 'querySequenceStarts'")]
        [InlineData("ReadOnlySpan<int> keySequenceStarts", "ReadOnlySpan<int> keySequenceStarts",
            "Parameter 'keySequenceStarts' of 'Attend' comes with the query rows' starts; add 'ReadOnlySpan<int> querySequenceStarts' (or [QuerySequenceStarts]), or remove 'keySequenceStarts'")]
        [InlineData("ReadOnlySpan<int> keySequenceStarts, ReadOnlySpan<int> sequenceStarts", "ReadOnlySpan<int> keySequenceStarts",
            "Parameter 'keySequenceStarts' of 'Attend' adds nothing to 'sequenceStarts', which gives the key rows' starts too; remove 'keySequenceStarts'")]
        [InlineData("ReadOnlySpan<float> alibiSlopes", "ReadOnlySpan<float> alibiSlopes",
            "Parameter 'alibiSlopes' of 'Attend' replaces the standard ALiBi slopes, which only a kernel with [Alibi] has; add [Alibi] to the method or remove 'alibiSlopes'")]
        [InlineData("ReadOnlySpan<float> bias, [SequenceStarts] ReadOnlySpan<int> cuSeqlens", "ReadOnlySpan<float> bias",
            "Parameter 'bias' of 'Attend' is [Nq, Nk] per item, a shape packed items do not share; remove 'bias', or remove 'cuSeqlens' to keep padded items")]
        [InlineData("ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> sequenceStarts, ReadOnlySpan<float> bias", "ReadOnlySpan<int> sequenceStarts",
            "Parameter 'sequenceStarts' of 'Attend' packs the items back to back, so every token is valid; remove 'keyLengths', or remove 'sequenceStarts' to keep padded items")]
        public void KG0015_Conflicts_SayWhatToRemove(string parameters, string pointsAt, string message)
        {
            AssertOnly(Batched(parameters), "KG0015", pointsAt, message);
        }

        [Fact]
        public void KG0015_SingleHeadScaleWithAnotherName_SaysBothFixes()
        {
            AssertOnly(DiagnosticTests.Wrap($"[AttentionKernel(64)]\n        public static partial void Attend({Spans}, float temperature);"), "KG0015", "float temperature",
                "Parameter 'temperature' of 'Attend' is not a run-time parameter: a single-head kernel's only one is its scale; name it 'scale' or mark it [RuntimeScale]");
        }

        [Fact]
        public void KG0015_Message_IsShort()
        {
            // The whole table (about 600 characters) is no longer listed: the longest message names a few parameters.
            string format = Diagnostics.DiagnosticDescriptors.UnknownRuntimeParameter.MessageFormat.ToString(CultureInfo.InvariantCulture);
            Assert.Equal("Parameter '{0}' of '{1}' {2}", format);
        }

        [Theory]
        [InlineData("ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> keyLengths2, [KeyLengths] ReadOnlySpan<int> lens", "[KeyLengths] ReadOnlySpan<int> lens",
            "Parameter 'lens' of 'Attend' binds run-time parameter 'keyLengths', which parameter 6 'keyLengths' already binds; remove one of the two")]
        [InlineData("[Bias] ReadOnlySpan<float> b1, ReadOnlySpan<float> sinks, [Bias] ReadOnlySpan<float> b2", "[Bias] ReadOnlySpan<float> b2",
            "Parameter 'b2' of 'Attend' binds run-time parameter 'bias', which parameter 6 'b1' already binds; remove one of the two")]
        public void KG0030_BoundTwice(string parameters, string pointsAt, string message)
        {
            // keyLengths2 is close to keyLengths: KG0015 with a suggestion, then the duplicate.
            (GeneratorRunResult result, _) = GeneratorHarness.Run(Batched(parameters));
            Diagnostic duplicate = Assert.Single(result.Diagnostics, d => d.Id == "KG0030");
            AssertAt(duplicate, Batched(parameters), pointsAt, message);
            Assert.All(result.Diagnostics.Where(d => d.Id != "KG0030"), d => Assert.Equal("KG0015", d.Id));
            Assert.Equal(parameters.Contains("keyLengths2") ? 2 : 1, result.Diagnostics.Length);
        }

        [Theory]
        [InlineData("[KeyLengths] ReadOnlySpan<long> lens", "KeyLengths",
            "[KeyLengths] on parameter 'lens' of 'Attend' needs a parameter of type 'ReadOnlySpan<int>', not 'ReadOnlySpan<long>'; change the type to 'ReadOnlySpan<int>' or remove the attribute")]
        [InlineData("[RuntimeScale] ReadOnlySpan<float> temperature", "RuntimeScale",
            "[RuntimeScale] on parameter 'temperature' of 'Attend' needs a parameter of type 'float', not 'ReadOnlySpan<float>'; change the type to 'float' or remove the attribute")]
        [InlineData("[KeyLengths, QueryLengths] ReadOnlySpan<int> lens", "QueryLengths",
            "[QueryLengths] on parameter 'lens' of 'Attend' binds it a second time (it already has [KeyLengths]); keep one of the two")]
        public void KG0031_AttributeThatCannotBind(string parameters, string pointsAt, string message)
        {
            AssertOnly(Batched(parameters), "KG0031", pointsAt, message);
        }

        [Fact]
        public void KG0031_AttributeOnAFixedParameter()
        {
            string source = DiagnosticTests.Wrap("[AttentionKernel(64, Heads = 4)]\n        public static partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, [KeyLengths] int batch);");
            AssertOnly(source, "KG0031", "KeyLengths",
                "[KeyLengths] on parameter 'batch' of 'Attend' binds nothing: parameter 5 is the batch count, not a run-time parameter; remove the attribute");
            source = DiagnosticTests.Wrap("[AttentionKernel(64)]\n        public static partial void Attend([Bias] ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);");
            AssertOnly(source, "KG0031", "Bias", "[Bias] on parameter 'query' of 'Attend' binds nothing: parameter 1 is the query span, not a run-time parameter; remove the attribute");
        }

        [Fact]
        public void KG0031_RunTimeSpanAttributeOnASingleHeadKernel()
        {
            string source = DiagnosticTests.Wrap($"[AttentionKernel(64)]\n        public static partial void Attend({Spans}, [Sinks] float s);");
            AssertOnly(source, "KG0031", "Sinks",
                "[Sinks] on parameter 's' of 'Attend' does not apply to a single-head kernel, whose only run-time parameter is its scale: use [RuntimeScale], or add 'int batch' after the output span for the others");
        }

        [Theory]
        [InlineData("ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, int batch, Span<float> output, ReadOnlySpan<int> keyLengths", ", Heads = 4",
            "Attention kernel 'Attend' has the wrong signature: parameter 4 'batch' is the batch count, which comes right after the four spans (as parameter 5), not among them; declare it as 'partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<int> keyLengths)'")]
        [InlineData("ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, ReadOnlySpan<float> output", "",
            "Attention kernel 'Attend' has the wrong signature: parameter 4 'output' must be Span<float>, Span<Half> or Span<BFloat16> (the output is written); declare it as 'partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)'")]
        [InlineData("ReadOnlySpan<float> q, ReadOnlySpan<Half> k, ReadOnlySpan<Half> v, ReadOnlySpan<Half> o, int n, [KeyLengths] ReadOnlySpan<int> lens, ReadOnlySpan<float> bias", ", Heads = 2",
            "Attention kernel 'Attend' has the wrong signature: parameter 4 'o' must be Span<float>, Span<Half> or Span<BFloat16> (the output is written); declare it as 'partial void Attend(ReadOnlySpan<float> q, ReadOnlySpan<Half> k, ReadOnlySpan<Half> v, Span<Half> o, int n, [KeyLengths] ReadOnlySpan<int> lens, ReadOnlySpan<float> bias)'")]
        [InlineData("ReadOnlySpan<double> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output", "",
            "Attention kernel 'Attend' has the wrong signature: parameter 1 'query' must be ReadOnlySpan<float>, ReadOnlySpan<Half> or ReadOnlySpan<BFloat16> (the query rows, read); declare it as 'partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)'")]
        [InlineData("ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, long batch", ", Heads = 2",
            "Attention kernel 'Attend' has the wrong signature: parameter 5 'batch' must be 'int batch' (a batched kernel's item count) or 'float scale' (a single-head kernel's run-time scale); declare it as 'partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch)'")]
        [InlineData("ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, ref Span<float> output", "",
            "Attention kernel 'Attend' has the wrong signature: parameter 4 'output' is declared 'ref'; remove 'ref' (the spans are passed by value); declare it as 'partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)'")]
        [InlineData("ReadOnlySpan<float> query, ReadOnlySpan<float> key, Span<float> output", "",
            "Attention kernel 'Attend' has the wrong signature: it has 3 parameters, and a kernel takes four spans: query, key, value and output; declare it as 'partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)'")]
        [InlineData("ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, float scale, ReadOnlySpan<int> keyLengths", "",
            "Attention kernel 'Attend' has the wrong signature: a single-head kernel takes only 'float scale' after its output span, and run-time spans need a batched kernel, with 'int batch' after the output span; declare it as 'partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, float scale, ReadOnlySpan<int> keyLengths)'")]
        [InlineData("ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, ReadOnlySpan<int> keyLengths, int batch", ", Heads = 4",
            "Attention kernel 'Attend' has the wrong signature: parameter 6 'batch' is the batch count, which comes right after the four spans (as parameter 5), before the run-time parameters; declare it as 'partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, ReadOnlySpan<int> keyLengths)'")]
        [InlineData("ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, [Bias] ReadOnlySpan<float> relativeBias", ", Heads = 4",
            "Attention kernel 'Attend' has the wrong signature: parameter 5 'relativeBias' is a run-time parameter, which a batched kernel takes after 'int batch' (the batch count, right after the output span); declare it as 'partial void Attend(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch, [Bias] ReadOnlySpan<float> relativeBias)'")]
        public void KG0003_NamesTheParameter_AndKeepsTheBatchedParameters(string parameters, string kernelArguments, string message)
        {
            string source = DiagnosticTests.Wrap($"[AttentionKernel(64{kernelArguments})]\n        public static partial void Attend({parameters});");
            AssertOnly(source, "KG0003", "Attend", message);
        }

        private static string Batched(string parameters) =>
            DiagnosticTests.Wrap($"[AttentionKernel(64, Heads = 4)]\n        public static partial void Attend({Spans}, int batch, {parameters});");

        /// <summary>The generator reports exactly this one diagnostic, an error, with this message, on this text; nothing is generated.</summary>
        private static void AssertOnly(string source, string id, string pointsAt, string message)
        {
            (GeneratorRunResult result, _) = GeneratorHarness.Run(source);
            Assert.Null(result.Exception);
            Diagnostic diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal(id, diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            AssertAt(diagnostic, source, pointsAt, message);
        }

        private static void AssertAt(Diagnostic diagnostic, string source, string pointsAt, string message)
        {
            Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
            Assert.True(diagnostic.Location.IsInSource, "diagnostic has no source location");
            Assert.Equal(pointsAt, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        }
    }
}
