using System.Collections.Generic;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emitting
{
    /// <summary>
    /// The user's names for the run-time parameters: a parameter bound by its attribute may have any name, and the
    /// runtime's exceptions must name it as the caller wrote it.
    /// </summary>
    internal static partial class KernelEmitter
    {
        /// <summary>
        /// The object initialiser of a batched kernel's <c>BatchedKernelInfo</c>: <c>Alibi = true</c> with [Alibi], and
        /// <c>KeyLengthsName = "lens"</c> for each run-time parameter whose name is not its table name (bound by attribute).
        /// Empty when there is neither, so a kernel declared with the documented names is written as before.
        /// </summary>
        private static string InfoInitialiser(KernelSpec spec, BatchSpec batch)
        {
            var members = new List<string>();
            if (spec.Score is { Alibi: true })
            {
                members.Add("Alibi = true");
            }

            for (int i = 0; i < batch.RuntimeParameters.Length; i++)
            {
                // Entry i of the bound list is the user's parameter 5 + i (BatchSpec keeps declaration order).
                string name = spec.ParameterNames[5 + i];
                if (Unescaped(name) != batch.RuntimeParameters[i])
                {
                    members.Add($"{RuntimeParameters.Member(batch.RuntimeParameters[i])}Name = {NameLiteral(name)}");
                }
            }

            return members.Count > 0 ? " { " + string.Join(", ", members) + " }" : string.Empty;
        }

        /// <summary>The user's name (without <c>@</c>) for a run-time parameter the batched kernel declares, e.g. <c>slopes</c> for alibiSlopes.</summary>
        private static string UserName(KernelSpec spec, string runtimeParameter)
        {
            EquatableArray<string> bound = spec.Batch!.RuntimeParameters;
            for (int i = 0; i < bound.Length; i++)
            {
                if (bound[i] == runtimeParameter)
                {
                    return Unescaped(spec.ParameterNames[5 + i]);
                }
            }

            return runtimeParameter;
        }

        /// <summary>An identifier without its <c>@</c> escape, as the compiler names the parameter.</summary>
        private static string Unescaped(string identifier) => identifier.StartsWith("@", System.StringComparison.Ordinal) ? identifier.Substring(1) : identifier;
    }
}
