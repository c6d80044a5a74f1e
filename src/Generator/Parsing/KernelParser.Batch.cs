using System;
using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>The batched form: 'int batch' after the four spans, and Heads, KeyValueHeads and Layout of [AttentionKernel].</summary>
    internal static partial class KernelParser
    {
        /// <summary>
        /// Heads, KeyValueHeads and Layout, and the run-time parameters after <c>int batch</c>: the batched form, or null
        /// for a single-head kernel. Problems become diagnostics on the offending argument or parameter.
        /// </summary>
        private static BatchSpec? ReadBatch(IMethodSymbol method, MethodDeclarationSyntax syntax, AttributeData kernel, bool alibi, List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            int heads = 0, keyValueHeads = 0, layout = 0;
            string? firstBatchArgument = null;
            foreach (KeyValuePair<string, TypedConstant> named in kernel.NamedArguments)
            {
                if (named.Key is not ("Heads" or "KeyValueHeads" or "Layout") || named.Value.Value is not int value)
                {
                    continue;
                }

                firstBatchArgument ??= named.Key;
                switch (named.Key)
                {
                    case "Heads":
                        heads = value;
                        break;
                    case "KeyValueHeads":
                        keyValueHeads = value;
                        break;
                    default:
                        layout = value;
                        break;
                }
            }

            bool batched = method.Parameters.Length > 4 && method.Parameters[4].Type.SpecialType == SpecialType.System_Int32;
            if (!batched)
            {
                // Four spans, or a single-head kernel's 'float scale' after them: Heads/KeyValueHeads/Layout need 'int batch'.
                if (firstBatchArgument is not null && (method.Parameters.Length == 4 || (method.Parameters.Length == 5 && method.Parameters[4].Type.SpecialType == SpecialType.System_Single)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MultiHeadWithoutBatch, AttributeArguments.NamedLocation(kernel, firstBatchArgument, cancellationToken), method.Name, firstBatchArgument));
                }

                return null;
            }

            if (heads < 0 || (long)heads * MaxHeadDimension > int.MaxValue)
            {
                // A position of Heads rows of d floats must fit one span (at most int.MaxValue floats) for any valid d.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHeads, AttributeArguments.NamedLocation(kernel, "Heads", cancellationToken), heads));
            }

            int effectiveHeads = Math.Max(1, heads);
            int effectiveKeyValueHeads = keyValueHeads == 0 ? effectiveHeads : keyValueHeads;
            if (heads >= 0 && (effectiveKeyValueHeads < 1 || effectiveKeyValueHeads > effectiveHeads || effectiveHeads % effectiveKeyValueHeads != 0))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKeyValueHeads, AttributeArguments.NamedLocation(kernel, "KeyValueHeads", cancellationToken), keyValueHeads, effectiveHeads));
            }

            if (layout is not (0 or 1))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayout, AttributeArguments.NamedLocation(kernel, "Layout", cancellationToken), layout));
            }

            List<string> present = BindRuntimeParameters(method, syntax, kernel, layout, alibi, diagnostics, cancellationToken);
            return new BatchSpec(effectiveHeads, effectiveKeyValueHeads, layout, new EquatableArray<string>(present));
        }
    }
}
