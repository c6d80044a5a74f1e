using System.Text;
using KernelGen.Engine;

namespace KernelGen.Generator.Model
{
    /// <summary>
    /// The run-time parameters a batched kernel may take after <c>int batch</c>: the parser binds a declaration's
    /// parameters against this table (by name and type, in this order), KG0015 lists it, and the emitter declares them,
    /// sets them on the runtime's <c>BatchedArguments</c> and flags them in <c>BatchedKernelInfo</c> from it. The names
    /// come from <see cref="RuntimeParameterNames"/>, which the runtime compiles too.
    /// </summary>
    internal static class RuntimeParameters
    {
        /// <summary>
        /// Name, type (as the compiler displays it, without <c>global::</c>), member (the runtime's <c>RuntimeParameter</c>
        /// flag and <c>BatchedArguments</c> property), what it does (for the file header) and when it may be declared (for
        /// KG0015; empty when always), in declaration order.
        /// </summary>
        public static readonly (string Name, string Type, string Member, string Description, string Condition)[] All =
        {
            (RuntimeParameterNames.KeyLengths, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.KeyLengths),
                "keyLengths[b] keys valid per item (padding keys are never read)", ""),
            (RuntimeParameterNames.QueryLengths, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.QueryLengths),
                "queryLengths[b] queries valid per item (padding rows are written as zeros)", ""),
            (RuntimeParameterNames.KeyMask, "System.ReadOnlySpan<bool>", nameof(RuntimeParameterNames.KeyMask),
                "keyMask[b, j] false drops key j of item b for this call", ""),
            (RuntimeParameterNames.Mask, "System.ReadOnlySpan<bool>", nameof(RuntimeParameterNames.Mask),
                "mask[b, i, j] (or mask[i, j] for every item) false hides key j from query i", ""),
            (RuntimeParameterNames.LogSumExp, "System.Span<float>", nameof(RuntimeParameterNames.LogSumExp),
                "logSumExp receives each row's ln sum exp(s) over its visible keys (plus e^sink with sinks; -inf for none, or the sink)", ""),
            (RuntimeParameterNames.SequenceStarts, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.SequenceStarts),
                "sequenceStarts[b] .. sequenceStarts[b + 1] are item b's rows in packed [total, H, d] spans (no padding)", "instead of lengths and masks"),
            (RuntimeParameterNames.QuerySequenceStarts, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.QuerySequenceStarts),
                "querySequenceStarts[b] .. [b + 1] are item b's query rows in packed [totalQ, H, d] spans", ""),
            (RuntimeParameterNames.KeySequenceStarts, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.KeySequenceStarts),
                "keySequenceStarts[b] .. [b + 1] are item b's key rows in packed [totalK, KVH, d] spans", "instead of sequenceStarts"),
            (RuntimeParameterNames.Scale, "float", nameof(RuntimeParameterNames.Scale),
                "scale replaces the compile-time score scale for the call (finite, > 0)", ""),
            (RuntimeParameterNames.AlibiSlopes, "System.ReadOnlySpan<float>", nameof(RuntimeParameterNames.AlibiSlopes),
                "alibiSlopes [H] or [B, H] replace the standard ALiBi slopes (empty keeps them)", "with [Alibi]"),
            (RuntimeParameterNames.Bias, "System.ReadOnlySpan<float>", nameof(RuntimeParameterNames.Bias),
                "bias [Nq, Nk], [B, Nq, Nk] or [B, H, Nq, Nk] is added to every score (-inf hides a key)", "not packed"),
            (RuntimeParameterNames.Sinks, "System.ReadOnlySpan<float>", nameof(RuntimeParameterNames.Sinks),
                "sinks[h] joins every softmax denominator of query head h as e^sinks[h]", ""),
        };

        /// <summary>
        /// The table as KG0015 lists it, e.g. <c>ReadOnlySpan&lt;int&gt; keyLengths, ..., ReadOnlySpan&lt;int&gt;
        /// querySequenceStarts and ReadOnlySpan&lt;int&gt; keySequenceStarts (instead of sequenceStarts), ...</c>: the two
        /// packed starts come together, so they are joined by "and".
        /// </summary>
        public static string Listing()
        {
            var builder = new StringBuilder();
            for (int i = 0; i < All.Length; i++)
            {
                if (i > 0)
                {
                    builder.Append(All[i - 1].Name == RuntimeParameterNames.QuerySequenceStarts ? " and " : ", ");
                }

                builder.Append(ShortType(All[i].Type)).Append(' ').Append(All[i].Name);
                if (All[i].Condition.Length > 0)
                {
                    builder.Append(" (").Append(All[i].Condition).Append(')');
                }
            }

            return builder.ToString();
        }

        /// <summary>A parameter's type as generated code spells it, e.g. <c>global::System.ReadOnlySpan&lt;int&gt;</c>.</summary>
        public static string GlobalType(string name) => Find(name).Type.StartsWith("System.", System.StringComparison.Ordinal) ? "global::" + Find(name).Type : Find(name).Type;

        /// <summary>A parameter's type as a message spells it, without the <c>System.</c> namespace, e.g. <c>ReadOnlySpan&lt;int&gt;</c>.</summary>
        public static string ShortType(string type) => type.StartsWith("System.", System.StringComparison.Ordinal) ? type.Substring("System.".Length) : type;

        /// <summary>A parameter's <c>RuntimeParameter</c> flag and <c>BatchedArguments</c> property, e.g. <c>KeyLengths</c>.</summary>
        public static string Member(string name) => Find(name).Member;

        /// <summary>What a parameter does, for the file header.</summary>
        public static string Description(string name) => Find(name).Description;

        private static (string Name, string Type, string Member, string Description, string Condition) Find(string name)
        {
            foreach ((string Name, string Type, string Member, string Description, string Condition) parameter in All)
            {
                if (parameter.Name == name)
                {
                    return parameter;
                }
            }

            throw new System.ArgumentException("Not a run-time parameter: " + name, nameof(name));
        }
    }
}
