using System;
using System.Collections.Generic;
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
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSignature, LocationInfo.From(syntax.Identifier), method.Name, signatureProblem));
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

        private static string? CheckSignature(IMethodSymbol method)
        {
            if (!method.ReturnsVoid)
            {
                return "it must return void";
            }

            if (method.IsAsync || method.IsExtern)
            {
                return $"it must not be '{(method.IsAsync ? "async" : "extern")}': KernelGen writes a synchronous body";
            }

            if (method.Parameters.Length < 4)
            {
                return $"it has {method.Parameters.Length} parameters, not 4";
            }

            if (method.Parameters.Length > 4)
            {
                // A batched kernel: the four spans, then 'int batch', then run-time parameters (checked one by one); or a
                // single-head kernel with its one run-time parameter, 'float scale'.
                IParameterSymbol fifth = method.Parameters[4];
                bool batch = fifth.Type.SpecialType == SpecialType.System_Int32, scale = fifth.Type.SpecialType == SpecialType.System_Single;
                if (!(batch || scale) || fifth.RefKind != RefKind.None || fifth.IsParams || fifth.ScopedKind != ScopedKind.None)
                {
                    return $"it has {method.Parameters.Length} parameters; after the four spans only 'int batch' (a batched kernel) or 'float scale' (a single-head kernel's run-time scale) may follow, not '{fifth.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)} {fifth.Name}'";
                }

                if (scale && method.Parameters.Length > 5)
                {
                    return $"it has {method.Parameters.Length} parameters; a single-head kernel takes only 'float scale' after its output span (run-time spans need a batched kernel: add 'int batch' before them)";
                }
            }

            // The four spans: ReadOnlySpan of float, System.Half or KernelGen.BFloat16 for query, key and value; Span of one
            // of them for output. Key and value of one type are checked by ReadSignature (KG0024).
            for (int i = 0; i < 4; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                if (parameter.RefKind != RefKind.None || parameter.IsParams || parameter.ScopedKind != ScopedKind.None)
                {
                    return $"parameter '{parameter.Name}' must be passed by value, without modifiers";
                }

                string actual = parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
                string span = i < 3 ? "System.ReadOnlySpan<" : "System.Span<";
                if (!actual.StartsWith(span, StringComparison.Ordinal) || ElementType(parameter.Type) is null)
                {
                    return $"parameter '{parameter.Name}' is '{actual}', not '{span.Substring("System.".Length)}float>' (or of System.Half or KernelGen.BFloat16)";
                }
            }

            return null;
        }

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
