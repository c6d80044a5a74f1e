using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Engine;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing
{
    /// <summary>The score: the Scale of [AttentionKernel], [Softcap] and [Alibi], read into a <see cref="ScoreSpec"/>.</summary>
    internal static partial class KernelParser
    {
        /// <summary>The Scale named argument of [AttentionKernel], with KG0006 when it is not finite and non-negative; 0 when absent (1/sqrt(d)).</summary>
        private static float ReadScale(AttributeData kernel, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            float scale = 0f;
            foreach (KeyValuePair<string, TypedConstant> named in kernel.NamedArguments)
            {
                if (named.Key == "Scale" && named.Value.Value is float value)
                {
                    scale = value;
                    if (float.IsNaN(value) || float.IsInfinity(value) || value < 0f)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScale, AttributeArguments.NamedLocation(kernel, "Scale", cancellationToken), value));
                    }
                }
            }

            return scale;
        }

        /// <summary>
        /// [Softcap(cap)]: sets <paramref name="softcap"/> when the cap is valid, KG0022 when it is not (not finite, not
        /// positive, or with a reciprocal that overflows); false when the argument does not bind.
        /// </summary>
        private static bool TryReadSoftcap(AttributeData attribute, ref float softcap, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
        {
            if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not float cap)
            {
                return false;
            }

            if (float.IsNaN(cap) || float.IsInfinity(cap) || cap <= 0f || float.IsInfinity(1f / cap))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSoftcap, AttributeArguments.Location(attribute, 0, "cap", cancellationToken), cap));
            }
            else
            {
                softcap = cap;
            }

            return true;
        }

        /// <summary>KG0023 for [Alibi] on a kernel without heads: a single-head kernel, or a batched one that does not name Heads.</summary>
        private static void CheckAlibiHasHeads(IMethodSymbol method, AttributeData kernel, AttributeData? alibiAttribute, BatchSpec? batch, List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            // KG0020 already reports a single-head kernel that names Heads (its one cause): no second diagnostic for [Alibi].
            bool namesBatchArguments = kernel.NamedArguments.Any(static n => n.Key is "Heads" or "KeyValueHeads" or "Layout");
            if (alibiAttribute is not null && !(batch is null && namesBatchArguments) && (batch is null || !kernel.NamedArguments.Any(static n => n.Key == "Heads")))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AlibiNeedsHeads, LocationInfo.From(alibiAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)), method.Name,
                    batch is null ? "takes no 'int batch' parameter (a single-head kernel has no head index)" : "does not name Heads in [AttentionKernel]"));
            }
        }

        /// <summary>The score modifiers, or null when the kernel has none (its code is then exactly that of a plain kernel).</summary>
        private static ScoreSpec? ScoreOf(bool runtimeScale, float softcap, bool alibi, BatchSpec? batch)
        {
            var score = new ScoreSpec(runtimeScale, softcap, alibi, batch?.Has(RuntimeParameterNames.Bias) ?? false, batch?.Has(RuntimeParameterNames.Sinks) ?? false);
            return score.ChangesScores || score.Sinks ? score : null;
        }
    }
}
