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
    /// The run-time parameters: a batched kernel's parameters after 'int batch', each bound against
    /// <see cref="RuntimeParameters.All"/> by its attribute (<c>[KeyLengths]</c>) or else by its name, in any order, each
    /// at most once; and a single-head kernel's 'float scale'. A parameter that does not bind is KG0015 (unknown name,
    /// type, modifier), KG0030 (bound twice) or KG0031 (an attribute on the wrong parameter), on that parameter; the
    /// combinations the runtime refuses are checked in KernelParser.RuntimeParameterConflicts.cs.
    /// </summary>
    internal static partial class KernelParser
    {
        /// <summary>
        /// Whether the method is a single-head kernel with a run-time scale (a fifth parameter of type float), with
        /// KG0015 when that parameter is neither named 'scale' nor marked [RuntimeScale].
        /// </summary>
        private static bool CheckSingleHeadScale(IMethodSymbol method, MethodDeclarationSyntax syntax, BatchSpec? batch, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            bool singleHeadScale = batch is null && method.Parameters.Length == 5 && method.Parameters[4].Type.SpecialType == SpecialType.System_Single;
            if (!singleHeadScale)
            {
                return false;
            }

            IParameterSymbol parameter = method.Parameters[4];
            List<(AttributeData Attribute, int Entry)> attributes = RuntimeAttributes(parameter);
            if (attributes.Count > 0 && RuntimeParameters.All[attributes[0].Entry].Name != RuntimeParameterNames.Scale)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedRuntimeAttribute, AttributeLocation(attributes[0].Attribute, syntax.ParameterList.Parameters[4], cancellationToken),
                    RuntimeParameters.All[attributes[0].Entry].Attribute, parameter.Name, method.Name,
                    "does not apply to a single-head kernel, whose only run-time parameter is its scale: use [RuntimeScale], or add 'int batch' after the output span for the others"));
            }
            else if (attributes.Count == 0 && parameter.Name != RuntimeParameterNames.Scale)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, LocationInfo.From(syntax.ParameterList.Parameters[4]), parameter.Name, method.Name,
                    "is not a run-time parameter: a single-head kernel's only one is its scale; name it 'scale' or mark it [RuntimeScale]"));
            }

            return true;
        }

        /// <summary>
        /// KG0031 for a run-time parameter attribute on one of the fixed parameters (the four spans and, on a batched
        /// kernel, <c>int batch</c>), where it would bind nothing.
        /// </summary>
        private static void CheckFixedParameterAttributes(IMethodSymbol method, MethodDeclarationSyntax syntax, BatchSpec? batch, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            int fixedCount = Math.Min(method.Parameters.Length, batch is null ? 4 : 5);
            for (int i = 0; i < fixedCount; i++)
            {
                foreach ((AttributeData attribute, int entry) in RuntimeAttributes(method.Parameters[i]))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedRuntimeAttribute, AttributeLocation(attribute, syntax.ParameterList.Parameters[i], cancellationToken),
                        RuntimeParameters.All[entry].Attribute, method.Parameters[i].Name, method.Name,
                        $"binds nothing: parameter {i + 1} is {(i == 4 ? "the batch count" : "the " + FixedSpanNames[i] + " span")}, not a run-time parameter; remove the attribute"));
                }
            }
        }

        /// <summary>
        /// The table names of the run-time parameters after <c>int batch</c> that bind, in declaration order (the emitter
        /// passes the user's parameters positionally against this list, so any order works). Each one that does not bind,
        /// or binds in a combination the runtime refuses, is a diagnostic on it.
        /// </summary>
        private static List<string> BindRuntimeParameters(IMethodSymbol method, MethodDeclarationSyntax syntax, AttributeData kernel, int layout, bool alibi,
            List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            // Table name -> the position of the parameter that binds it, in declaration order.
            var bound = new List<(string Name, int Position)>();
            for (int i = 5; i < method.Parameters.Length; i++)
            {
                string? name = BindOne(method, syntax, i, diagnostics, cancellationToken);
                if (name is null)
                {
                    continue;
                }

                int first = bound.FindIndex(b => b.Name == name);
                if (first >= 0)
                {
                    IParameterSymbol earlier = method.Parameters[bound[first].Position];
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateRuntimeParameter, LocationInfo.From(syntax.ParameterList.Parameters[i]),
                        method.Parameters[i].Name, method.Name, name, bound[first].Position + 1, earlier.Name));
                    continue;
                }

                bound.Add((name, i));
            }

            HashSet<string> rejected = CheckRuntimeParameterConflicts(method, syntax, bound, alibi, diagnostics);
            List<string> present = bound.Where(b => !rejected.Contains(b.Name)).Select(static b => b.Name).ToList();
            foreach (string packed in present.Where(static p => p is RuntimeParameterNames.SequenceStarts or RuntimeParameterNames.QuerySequenceStarts))
            {
                if (layout == 1)
                {
                    string user = method.Parameters[bound.First(b => b.Name == packed).Position].Name;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PackedNeedsSequenceLayout, AttributeArguments.NamedLocation(kernel, "Layout", cancellationToken), method.Name, user));
                }
            }

            return present;
        }

        /// <summary>
        /// The table name parameter <paramref name="position"/> binds: its attribute's, else its own name's; null, with a
        /// diagnostic, when it binds none or its type or modifiers do not fit.
        /// </summary>
        private static string? BindOne(IMethodSymbol method, MethodDeclarationSyntax syntax, int position, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            IParameterSymbol parameter = method.Parameters[position];
            ParameterSyntax parameterSyntax = syntax.ParameterList.Parameters[position];
            LocationInfo? location = LocationInfo.From(parameterSyntax);
            string type = parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
            List<(AttributeData Attribute, int Entry)> attributes = RuntimeAttributes(parameter);
            int entry;
            if (attributes.Count > 0)
            {
                // The attribute wins over the name; a second one would bind the same parameter twice.
                entry = attributes[0].Entry;
                for (int i = 1; i < attributes.Count; i++)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedRuntimeAttribute, AttributeLocation(attributes[i].Attribute, parameterSyntax, cancellationToken),
                        RuntimeParameters.All[attributes[i].Entry].Attribute, parameter.Name, method.Name,
                        $"binds it a second time (it already has [{RuntimeParameters.All[entry].Attribute}]); keep one of the two"));
                }

                if (attributes.Count > 1)
                {
                    return null;
                }

                if (RuntimeParameters.All[entry].Type != type)
                {
                    string expected = RuntimeParameters.ShortType(RuntimeParameters.All[entry].Type);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MisplacedRuntimeAttribute, AttributeLocation(attributes[0].Attribute, parameterSyntax, cancellationToken),
                        RuntimeParameters.All[entry].Attribute, parameter.Name, method.Name,
                        $"needs a parameter of type '{expected}', not '{RuntimeParameters.ShortType(type)}'; change the type to '{expected}' or remove the attribute"));
                    return null;
                }
            }
            else
            {
                entry = Array.FindIndex(RuntimeParameters.All, p => p.Name == parameter.Name);
                if (entry < 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, location, parameter.Name, method.Name, UnknownNameProblem(parameter.Name, type)));
                    return null;
                }

                if (RuntimeParameters.All[entry].Type != type)
                {
                    string expected = RuntimeParameters.ShortType(RuntimeParameters.All[entry].Type);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, location, parameter.Name, method.Name,
                        $"is '{RuntimeParameters.ShortType(type)}', but the run-time parameter '{parameter.Name}' is '{expected}'; declare it as '{expected} {parameter.Name}'"));
                    return null;
                }
            }

            string? modifier = Modifier(parameter);
            if (modifier is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, location, parameter.Name, method.Name,
                    $"is declared '{modifier}'; remove '{modifier}' (run-time parameters are passed by value)"));
                return null;
            }

            return RuntimeParameters.All[entry].Name;
        }

        /// <summary>
        /// What KG0015 says about a name no run-time parameter has: the nearest names (did you mean), else the names of
        /// the parameter's type, else that no run-time parameter has that type; never the whole table.
        /// </summary>
        private static string UnknownNameProblem(string name, string type)
        {
            string[] names = RuntimeParameters.All.Select(static p => p.Name).ToArray();
            IReadOnlyList<string> nearest = NameSuggestions.Nearest(name, names);
            if (nearest.Count > 0)
            {
                // Prefer the suggestions of the parameter's own type when the name is close to several.
                List<string> typed = nearest.Where(n => RuntimeParameters.All.First(p => p.Name == n).Type == type).ToList();
                List<string> shown = typed.Count > 0 ? typed : nearest.ToList();
                string attributes = string.Join(" or ", shown.Select(n => "[" + RuntimeParameters.All.First(p => p.Name == n).Attribute + "]"));
                return $"is not a run-time parameter; did you mean {string.Join(" or ", shown.Select(static n => "'" + n + "'"))}? (to keep the name, mark it {attributes})";
            }

            (string Name, string Type, string Member, string Attribute, string Description)[] ofType = RuntimeParameters.All.Where(p => p.Type == type).ToArray();
            if (ofType.Length == 0)
            {
                return $"is not a run-time parameter, and none has type '{RuntimeParameters.ShortType(type)}' (docs/batched.md lists them); remove it";
            }

            string list = ofType.Length == 1 ? $"'{ofType[0].Name}'"
                : string.Join(", ", ofType.Take(ofType.Length - 1).Select(static p => "'" + p.Name + "'")) + " or '" + ofType[ofType.Length - 1].Name + "'";
            return $"is not a run-time parameter; one of type '{RuntimeParameters.ShortType(type)}' is {list}: rename it, or mark it with that parameter's attribute (e.g. [{ofType[0].Attribute}])";
        }

        /// <summary>The names of the fixed spans, by position, as KG0031 and KG0003 describe them.</summary>
        private static readonly string[] FixedSpanNames = { "query", "key", "value", "output" };

        /// <summary>The run-time parameter attributes on a parameter, in the order written, with their table entries.</summary>
        private static List<(AttributeData Attribute, int Entry)> RuntimeAttributes(IParameterSymbol parameter)
        {
            var found = new List<(AttributeData, int)>();
            foreach (AttributeData attribute in parameter.GetAttributes())
            {
                string? name = attribute.AttributeClass?.ToDisplayString();
                int entry = name is null ? -1 : Array.FindIndex(RuntimeParameters.All, p => "KernelGen." + p.Attribute + "Attribute" == name);
                if (entry >= 0)
                {
                    found.Add((attribute, entry));
                }
            }

            return found;
        }

        /// <summary>Where an attribute is written (e.g. <c>KeyLengths</c> in <c>[KeyLengths]</c>), else its parameter.</summary>
        private static LocationInfo? AttributeLocation(AttributeData attribute, ParameterSyntax parameter, CancellationToken cancellationToken) =>
            LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? LocationInfo.From(parameter);
    }
}
