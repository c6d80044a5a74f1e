using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>
    /// The signature: void, the four spans (query, key, value, output) and their element types, then 'int batch' or a
    /// single-head kernel's 'float scale'. The parameters after 'int batch' are bound in KernelParser.RuntimeParameterBinding.cs.
    /// </summary>
    internal static partial class KernelParser
    {
        /// <summary>
        /// KG0003 for a signature KernelGen cannot implement, else the element types of the spans as generated code spells
        /// them, with KG0024 when key and value differ; float for each when the signature is invalid.
        /// </summary>
        private static (string Query, string KeyValue, string Output) ReadSignature(MethodDeclarationSyntax syntax, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
        {
            string? signatureProblem = CheckSignature(method);
            if (signatureProblem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSignature, LocationInfo.From(syntax.Identifier), method.Name, signatureProblem, SuggestedSignature(method)));
                return ("float", "float", "float");
            }

            // Element types: key and value of one type.
            string queryElement = ElementType(method.Parameters[0].Type)!;
            string keyValueElement = ElementType(method.Parameters[1].Type)!;
            string outputElement = ElementType(method.Parameters[3].Type)!;
            if (ElementType(method.Parameters[2].Type) != keyValueElement)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MixedKeyValueTypes, LocationInfo.From(syntax.ParameterList.Parameters[2].Type), method.Name,
                    method.Parameters[1].Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat), method.Parameters[2].Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
            }

            return (queryElement, keyValueElement, outputElement);
        }

        /// <summary>
        /// What is wrong, naming the parameter by position and what it must be (e.g. "parameter 4 'output' must be
        /// Span&lt;float&gt;, ..."), or null when the signature is one KernelGen implements.
        /// </summary>
        private static string? CheckSignature(IMethodSymbol method)
        {
            if (!method.ReturnsVoid)
            {
                return $"it returns '{method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}' and must return void (the output span is written)";
            }

            if (method.IsAsync || method.IsExtern)
            {
                return $"it must not be '{(method.IsAsync ? "async" : "extern")}': KernelGen writes a synchronous body";
            }

            if (method.Parameters.Length < 4)
            {
                return $"it has {method.Parameters.Length} parameter{(method.Parameters.Length == 1 ? string.Empty : "s")}, and a kernel takes four spans: query, key, value and output";
            }

            // The four spans: ReadOnlySpan of float, System.Half or KernelGen.BFloat16 for query, key and value; Span of one
            // of them for output. Key and value of one type are checked by ReadSignature (KG0024).
            for (int i = 0; i < 4; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                string position = $"parameter {i + 1} '{parameter.Name}'";
                if (parameter.Type.SpecialType == SpecialType.System_Int32 && method.Parameters.Skip(i + 1).Count(IsSpanParameter) >= 4 - i)
                {
                    return $"{position} is the batch count, which comes right after the four spans (as parameter 5), not among them";
                }

                string span = i < 3 ? "ReadOnlySpan" : "Span";
                string actual = parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
                if (!actual.StartsWith("System." + span + "<", StringComparison.Ordinal) || ElementType(parameter.Type) is null)
                {
                    return $"{position} must be {span}<float>, {span}<Half> or {span}<BFloat16> ({(i < 3 ? $"the {FixedSpanNames[i]} rows, read" : "the output is written")})";
                }

                if (Modifier(parameter) is { } modifier)
                {
                    return $"{position} is declared '{modifier}'; remove '{modifier}' (the spans are passed by value)";
                }
            }

            if (method.Parameters.Length > 4)
            {
                // A batched kernel: the four spans, then 'int batch', then run-time parameters (checked one by one); or a
                // single-head kernel with its one run-time parameter, 'float scale'.
                IParameterSymbol fifth = method.Parameters[4];
                bool batch = fifth.Type.SpecialType == SpecialType.System_Int32, scale = fifth.Type.SpecialType == SpecialType.System_Single;
                if (!(batch || scale))
                {
                    // The usual slips: 'int batch' written later, or left out before the run-time parameters.
                    int later = method.Parameters.IndexOf(method.Parameters.Skip(5).FirstOrDefault(static p => p.Type.SpecialType == SpecialType.System_Int32));
                    return later > 4
                        ? $"parameter {later + 1} '{method.Parameters[later].Name}' is the batch count, which comes right after the four spans (as parameter 5), before the run-time parameters"
                        : RuntimeAttributes(fifth).Count > 0 || RuntimeParameters.All.Any(p => p.Name == fifth.Name)
                        ? $"parameter 5 '{fifth.Name}' is a run-time parameter, which a batched kernel takes after 'int batch' (the batch count, right after the output span)"
                        : $"parameter 5 '{fifth.Name}' must be 'int batch' (a batched kernel's item count) or 'float scale' (a single-head kernel's run-time scale)";
                }

                if (Modifier(fifth) is { } modifier)
                {
                    return $"parameter 5 '{fifth.Name}' is declared '{modifier}'; remove '{modifier}'";
                }

                if (scale && method.Parameters.Length > 5)
                {
                    return "a single-head kernel takes only 'float scale' after its output span, and run-time spans need a batched kernel, with 'int batch' after the output span";
                }
            }

            return null;
        }

        /// <summary>
        /// The signature KG0003 suggests, built from the user's own parameters: the first four that look like the spans
        /// (under their names, with their element types, read-only for query, key and value), then 'int batch' (the user's
        /// int parameter, or one named like it) when the method has one or has run-time parameters, then the rest as
        /// written, so a batched kernel keeps its batch and run-time parameters wherever they stood.
        /// </summary>
        private static string SuggestedSignature(IMethodSymbol method)
        {
            IParameterSymbol? batch = method.Parameters.FirstOrDefault(static p => p.Type.SpecialType == SpecialType.System_Int32)
                ?? method.Parameters.FirstOrDefault(static p => p.Name.IndexOf("batch", StringComparison.OrdinalIgnoreCase) >= 0);
            var spans = new List<IParameterSymbol>();
            var rest = new List<IParameterSymbol>();
            foreach (IParameterSymbol parameter in method.Parameters)
            {
                if (SymbolEqualityComparer.Default.Equals(parameter, batch))
                {
                    continue;
                }

                bool runtime = RuntimeAttributes(parameter).Count > 0 || RuntimeParameters.All.Any(p => p.Name == parameter.Name);
                if (spans.Count < 4 && !runtime && parameter.Type.SpecialType != SpecialType.System_Single)
                {
                    spans.Add(parameter);
                }
                else
                {
                    rest.Add(parameter);
                }
            }

            // Fewer than four spans: a writable one is the output, the others fill query, key and value in order, and the
            // missing ones get their usual names (unless the user took them).
            var slots = new IParameterSymbol?[4];
            if (spans.Count == 4)
            {
                for (int i = 0; i < 4; i++)
                {
                    slots[i] = spans[i];
                }
            }
            else
            {
                IParameterSymbol? written = spans.LastOrDefault(static p => p.Type is INamedTypeSymbol { Name: "Span" });
                slots[3] = written;
                int next = 0;
                foreach (IParameterSymbol read in spans.Where(p => !SymbolEqualityComparer.Default.Equals(p, written)))
                {
                    slots[next++] = read;
                }
            }

            var parts = new List<string>();
            for (int i = 0; i < 4; i++)
            {
                string element = ShortElement(slots[i] is { } given ? ElementType(given.Type) : null);
                string name = slots[i]?.Name ?? (method.Parameters.Any(p => p.Name == FixedSpanNames[i]) ? FixedSpanNames[i] + "Span" : FixedSpanNames[i]);
                parts.Add($"{(i < 3 ? "ReadOnlySpan" : "Span")}<{element}> {name}");
            }

            bool batched = batch is not null || rest.Count > 1 || rest.Any(static p => p.Type.SpecialType != SpecialType.System_Single);
            if (batched)
            {
                parts.Add("int " + (batch?.Name ?? "batch"));
            }

            parts.AddRange(rest.Select(static p =>
                string.Concat(RuntimeAttributes(p).Select(static a => "[" + RuntimeParameters.All[a.Entry].Attribute + "] ")) + p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + " " + p.Name));
            return string.Join(", ", parts);
        }

        /// <summary>Whether a parameter is a ReadOnlySpan or Span of any element type (a misplaced batch count is not).</summary>
        private static bool IsSpanParameter(IParameterSymbol parameter) =>
            parameter.Type is INamedTypeSymbol { TypeArguments.Length: 1 } named && named.ContainingNamespace?.ToDisplayString() == "System" && named.Name is "ReadOnlySpan" or "Span";

        /// <summary>A parameter's modifier as written ('ref', 'in', 'params', ...), or null for none.</summary>
        private static string? Modifier(IParameterSymbol parameter) => parameter.RefKind switch
        {
            RefKind.Ref => "ref",
            RefKind.Out => "out",
            RefKind.In => "in",
            RefKind.RefReadOnlyParameter => "ref readonly",
            _ => parameter.IsParams ? "params" : parameter.ScopedKind != ScopedKind.None ? "scoped" : null,
        };

        /// <summary>An element type as a message spells it: float, Half or BFloat16 (float for an unsupported one).</summary>
        private static string ShortElement(string? element) => element switch
        {
            "global::System.Half" => "Half",
            "global::KernelGen.BFloat16" => "BFloat16",
            _ => "float",
        };

        /// <summary>A span parameter's element type as generated code spells it (float, System.Half, KernelGen.BFloat16), or null for another.</summary>
        private static string? ElementType(ITypeSymbol type) =>
            type is INamedTypeSymbol { TypeArguments.Length: 1 } span
                ? span.TypeArguments[0].ToDisplayString() switch
                {
                    "float" => "float",
                    "System.Half" => "global::System.Half",
                    "KernelGen.BFloat16" => "global::KernelGen.BFloat16",
                    _ => null,
                }
                : null;
    }
}
