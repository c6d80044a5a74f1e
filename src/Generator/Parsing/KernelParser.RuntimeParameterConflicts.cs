using System.Collections.Generic;
using System.Linq;
using KernelGen.Engine;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>
    /// The combinations of run-time parameters the runtime refuses, checked on the bound set whatever the declaration
    /// order: packed starts with lengths or masks, the two packed starts apart, a bias on packed items, slopes without
    /// [Alibi]. Each is KG0015 on one parameter, saying what to remove or add, with the user's own parameter names.
    /// </summary>
    internal static partial class KernelParser
    {
        /// <summary>The run-time parameters a packed batch makes meaningless: every packed token is valid.</summary>
        private static readonly string[] PaddingParameters =
        {
            RuntimeParameterNames.KeyLengths, RuntimeParameterNames.QueryLengths, RuntimeParameterNames.KeyMask, RuntimeParameterNames.Mask,
        };

        /// <summary>
        /// KG0015 for each refused combination, checked in the table's order; returns the parameters reported. A check
        /// reads what earlier checks kept, so one mistake gives one diagnostic (with sequenceStarts refused beside
        /// keyLengths, a bias is not reported again for packed items).
        /// </summary>
        private static HashSet<string> CheckRuntimeParameterConflicts(IMethodSymbol method, MethodDeclarationSyntax syntax, List<(string Name, int Position)> bound, bool alibi,
            List<DiagnosticInfo> diagnostics)
        {
            var rejected = new HashSet<string>();
            bool Declared(string name) => bound.Any(b => b.Name == name);
            bool Kept(string name) => Declared(name) && !rejected.Contains(name);
            int PositionOf(string name) => bound.First(b => b.Name == name).Position;
            string User(string name) => "'" + method.Parameters[PositionOf(name)].Name + "'";
            void Reject(string name, string problem)
            {
                rejected.Add(name);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, LocationInfo.From(syntax.ParameterList.Parameters[PositionOf(name)]),
                    method.Parameters[PositionOf(name)].Name, method.Name, problem));
            }

            string padding = Listed(PaddingParameters.Where(Declared).Select(User).ToList());
            if (padding.Length > 0 && Declared(RuntimeParameterNames.SequenceStarts))
            {
                Reject(RuntimeParameterNames.SequenceStarts,
                    $"packs the items back to back, so every token is valid; remove {padding}, or remove {User(RuntimeParameterNames.SequenceStarts)} to keep padded items");
            }

            if (Declared(RuntimeParameterNames.QuerySequenceStarts))
            {
                string pair = Declared(RuntimeParameterNames.KeySequenceStarts)
                    ? $"{User(RuntimeParameterNames.QuerySequenceStarts)} and {User(RuntimeParameterNames.KeySequenceStarts)}"
                    : User(RuntimeParameterNames.QuerySequenceStarts);
                if (padding.Length > 0)
                {
                    Reject(RuntimeParameterNames.QuerySequenceStarts, $"packs the items back to back, so every token is valid; remove {padding}, or remove {pair} to keep padded items");
                }
                else if (Kept(RuntimeParameterNames.SequenceStarts))
                {
                    Reject(RuntimeParameterNames.QuerySequenceStarts,
                        $"and {User(RuntimeParameterNames.SequenceStarts)} both give the packed starts; remove {User(RuntimeParameterNames.SequenceStarts)} (queries and keys at the same starts) or {pair}");
                }
                else if (!Declared(RuntimeParameterNames.KeySequenceStarts))
                {
                    Reject(RuntimeParameterNames.QuerySequenceStarts,
                        $"comes with the key rows' starts; add 'ReadOnlySpan<int> {RuntimeParameterNames.KeySequenceStarts}' (or [KeySequenceStarts]), or remove {User(RuntimeParameterNames.QuerySequenceStarts)}");
                }
            }

            if (Declared(RuntimeParameterNames.KeySequenceStarts) && !Declared(RuntimeParameterNames.QuerySequenceStarts))
            {
                Reject(RuntimeParameterNames.KeySequenceStarts, Kept(RuntimeParameterNames.SequenceStarts)
                    ? $"adds nothing to {User(RuntimeParameterNames.SequenceStarts)}, which gives the key rows' starts too; remove {User(RuntimeParameterNames.KeySequenceStarts)}"
                    : $"comes with the query rows' starts; add 'ReadOnlySpan<int> {RuntimeParameterNames.QuerySequenceStarts}' (or [QuerySequenceStarts]), or remove {User(RuntimeParameterNames.KeySequenceStarts)}");
            }

            if (Declared(RuntimeParameterNames.AlibiSlopes) && !alibi)
            {
                Reject(RuntimeParameterNames.AlibiSlopes, $"replaces the standard ALiBi slopes, which only a kernel with [Alibi] has; add [Alibi] to the method or remove {User(RuntimeParameterNames.AlibiSlopes)}");
            }

            string? packed = Kept(RuntimeParameterNames.SequenceStarts) ? RuntimeParameterNames.SequenceStarts
                : Kept(RuntimeParameterNames.QuerySequenceStarts) ? RuntimeParameterNames.QuerySequenceStarts
                : null;
            if (Declared(RuntimeParameterNames.Bias) && packed is not null)
            {
                Reject(RuntimeParameterNames.Bias,
                    $"is [Nq, Nk] per item, a shape packed items do not share; remove {User(RuntimeParameterNames.Bias)}, or remove {User(packed)} to keep padded items");
            }

            return rejected;
        }

        /// <summary>Names joined as a sentence says them: 'a', 'a' and 'b', 'a', 'b' and 'c'; empty for none.</summary>
        private static string Listed(IReadOnlyList<string> names) =>
            names.Count <= 1 ? string.Concat(names) : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[names.Count - 1];
    }
}
