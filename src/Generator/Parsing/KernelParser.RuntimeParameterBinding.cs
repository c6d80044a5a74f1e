using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Engine;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>
    /// The run-time parameters: a batched kernel's parameters after 'int batch', bound by name, type and order against
    /// <see cref="RuntimeParameters.All"/>, and a single-head kernel's 'float scale'. Problems are KG0015 (and KG0021)
    /// on the offending parameter.
    /// </summary>
    internal static partial class KernelParser
    {
        /// <summary>
        /// Whether the method is a single-head kernel with a run-time scale (a fifth parameter of type float), with
        /// KG0015 when that parameter is not named 'scale'.
        /// </summary>
        private static bool CheckSingleHeadScale(IMethodSymbol method, MethodDeclarationSyntax syntax, BatchSpec? batch, List<DiagnosticInfo> diagnostics)
        {
            bool singleHeadScale = batch is null && method.Parameters.Length == 5 && method.Parameters[4].Type.SpecialType == SpecialType.System_Single;
            if (singleHeadScale && method.Parameters[4].Name != RuntimeParameterNames.Scale)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, LocationInfo.From(syntax.ParameterList.Parameters[4]), method.Parameters[4].Name, method.Name,
                    "is not a run-time parameter KernelGen knows: a single-head kernel's only one is 'float scale', right after the output span"));
            }

            return singleHeadScale;
        }

        /// <summary>
        /// The names of the run-time parameters after <c>int batch</c> that bind, in declaration order; each one that does
        /// not (unknown, of another type, with a modifier, out of order, or in a combination the runtime refuses) is KG0015.
        /// </summary>
        private static List<string> BindRuntimeParameters(IMethodSymbol method, MethodDeclarationSyntax syntax, AttributeData kernel, int layout, bool alibi,
            List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            var present = new List<string>();
            int last = -1;
            for (int i = 5; i < method.Parameters.Length; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                LocationInfo? location = LocationInfo.From(syntax.ParameterList.Parameters[i]);
                string type = parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
                int index = Array.FindIndex(RuntimeParameters.All, p => p.Name == parameter.Name);
                string? problem =
                    index < 0 ? "is not a run-time parameter KernelGen knows"
                    : RuntimeParameters.All[index].Type != type ? $"is '{RuntimeParameters.ShortType(type)}', not '{RuntimeParameters.ShortType(RuntimeParameters.All[index].Type)}'"
                    : parameter.RefKind != RefKind.None || parameter.IsParams || parameter.ScopedKind != ScopedKind.None ? "must be passed by value, without modifiers"
                    : index <= last ? "is out of order"
                    : null;
                if (problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, location, parameter.Name, method.Name, problem));
                    continue;
                }

                // Packed items are all valid tokens: no lengths or masks beside their starts.
                bool lengthsOrMasks = present.Contains(RuntimeParameterNames.KeyLengths) || present.Contains(RuntimeParameterNames.QueryLengths)
                    || present.Contains(RuntimeParameterNames.KeyMask) || present.Contains(RuntimeParameterNames.Mask);
                if (parameter.Name == RuntimeParameterNames.SequenceStarts && lengthsOrMasks)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, location, parameter.Name, method.Name,
                        "cannot be combined with keyLengths, queryLengths, keyMask or mask (a packed sequence is all valid tokens)"));
                    continue;
                }

                string? conflict = parameter.Name switch
                {
                    RuntimeParameterNames.QuerySequenceStarts when lengthsOrMasks || present.Contains(RuntimeParameterNames.SequenceStarts) =>
                        "cannot be combined with keyLengths, queryLengths, keyMask, mask or sequenceStarts (packed items are all valid tokens, and their starts are these)",
                    RuntimeParameterNames.KeySequenceStarts when !method.Parameters.Any(static p => p.Name == RuntimeParameterNames.QuerySequenceStarts) => "needs querySequenceStarts right before it (the two come together)",
                    RuntimeParameterNames.AlibiSlopes when !alibi => "needs [Alibi] on the method (it replaces the standard ALiBi slopes)",
                    RuntimeParameterNames.Bias when present.Contains(RuntimeParameterNames.SequenceStarts) || present.Contains(RuntimeParameterNames.QuerySequenceStarts) =>
                        "cannot be combined with packed sequences (a bias is [Nq, Nk] per item; packed items have no common Nq and Nk)",
                    _ => null,
                };
                if (conflict is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, location, parameter.Name, method.Name, conflict));
                    continue;
                }

                if (parameter.Name is RuntimeParameterNames.SequenceStarts or RuntimeParameterNames.QuerySequenceStarts && layout == 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PackedNeedsSequenceLayout, AttributeArguments.NamedLocation(kernel, "Layout", cancellationToken), method.Name, parameter.Name));
                }

                last = index;
                present.Add(parameter.Name);
            }

            if (present.Contains(RuntimeParameterNames.QuerySequenceStarts) && !present.Contains(RuntimeParameterNames.KeySequenceStarts))
            {
                int index = Array.FindIndex(method.Parameters.ToArray(), static p => p.Name == RuntimeParameterNames.QuerySequenceStarts);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, LocationInfo.From(syntax.ParameterList.Parameters[index]), RuntimeParameterNames.QuerySequenceStarts, method.Name,
                    "needs keySequenceStarts right after it (the two come together)"));
            }

            return present;
        }
    }
}
