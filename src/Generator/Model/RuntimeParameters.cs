using KernelGen.Engine;

namespace KernelGen.Generator.Model
{
    /// <summary>
    /// The run-time parameters a batched kernel may take after <c>int batch</c>: the parser binds a declaration's
    /// parameters against this table (by the parameter attribute, else by name; any order, each once), and the emitter
    /// declares them, sets them on the runtime's <c>BatchedArguments</c>, flags them in <c>BatchedKernelInfo</c> and
    /// describes them in the header from it. The names come from <see cref="RuntimeParameterNames"/>, which the runtime
    /// compiles too.
    /// </summary>
    internal static class RuntimeParameters
    {
        /// <summary>
        /// Name, type (as the compiler displays it, without <c>global::</c>), member (the runtime's <c>RuntimeParameter</c>
        /// flag and <c>BatchedArguments</c> property), the attribute that binds it under another name (without the
        /// <c>Attribute</c> suffix, in namespace KernelGen) and what it does (for the file header), in the documented order.
        /// </summary>
        public static readonly (string Name, string Type, string Member, string Attribute, string Description)[] All =
        {
            (RuntimeParameterNames.KeyLengths, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.KeyLengths), "KeyLengths",
                "keyLengths[b] keys valid per item (padding keys are never read)"),
            (RuntimeParameterNames.QueryLengths, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.QueryLengths), "QueryLengths",
                "queryLengths[b] queries valid per item (padding rows are written as zeros)"),
            (RuntimeParameterNames.KeyMask, "System.ReadOnlySpan<bool>", nameof(RuntimeParameterNames.KeyMask), "KeyMask",
                "keyMask[b, j] false drops key j of item b for this call"),
            (RuntimeParameterNames.Mask, "System.ReadOnlySpan<bool>", nameof(RuntimeParameterNames.Mask), "AttentionMask",
                "mask[b, i, j] (or mask[i, j] for every item) false hides key j from query i"),
            (RuntimeParameterNames.LogSumExp, "System.Span<float>", nameof(RuntimeParameterNames.LogSumExp), "LogSumExp",
                "logSumExp receives each row's ln sum exp(s) over its visible keys (plus e^sink with sinks; -inf for none, or the sink)"),
            (RuntimeParameterNames.SequenceStarts, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.SequenceStarts), "SequenceStarts",
                "sequenceStarts[b] .. sequenceStarts[b + 1] are item b's rows in packed [total, H, d] spans (no padding)"),
            (RuntimeParameterNames.QuerySequenceStarts, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.QuerySequenceStarts), "QuerySequenceStarts",
                "querySequenceStarts[b] .. [b + 1] are item b's query rows in packed [totalQ, H, d] spans"),
            (RuntimeParameterNames.KeySequenceStarts, "System.ReadOnlySpan<int>", nameof(RuntimeParameterNames.KeySequenceStarts), "KeySequenceStarts",
                "keySequenceStarts[b] .. [b + 1] are item b's key rows in packed [totalK, KVH, d] spans"),
            (RuntimeParameterNames.Scale, "float", nameof(RuntimeParameterNames.Scale), "RuntimeScale",
                "scale replaces the compile-time score scale for the call (finite, > 0)"),
            (RuntimeParameterNames.AlibiSlopes, "System.ReadOnlySpan<float>", nameof(RuntimeParameterNames.AlibiSlopes), "AlibiSlopes",
                "alibiSlopes [H] or [B, H] replace the standard ALiBi slopes (empty keeps them)"),
            (RuntimeParameterNames.Bias, "System.ReadOnlySpan<float>", nameof(RuntimeParameterNames.Bias), "Bias",
                "bias [Nq, Nk], [B, Nq, Nk] or [B, H, Nq, Nk] is added to every score (-inf hides a key)"),
            (RuntimeParameterNames.Sinks, "System.ReadOnlySpan<float>", nameof(RuntimeParameterNames.Sinks), "Sinks",
                "sinks[h] joins every softmax denominator of query head h as e^sinks[h]"),
        };

        /// <summary>A parameter's type as generated code spells it, e.g. <c>global::System.ReadOnlySpan&lt;int&gt;</c>.</summary>
        public static string GlobalType(string name) => Find(name).Type.StartsWith("System.", System.StringComparison.Ordinal) ? "global::" + Find(name).Type : Find(name).Type;

        /// <summary>A parameter's type as a message spells it, without the <c>System.</c> namespace, e.g. <c>ReadOnlySpan&lt;int&gt;</c>.</summary>
        public static string ShortType(string type) => type.StartsWith("System.", System.StringComparison.Ordinal) ? type.Substring("System.".Length) : type;

        /// <summary>A parameter's <c>RuntimeParameter</c> flag and <c>BatchedArguments</c> property, e.g. <c>KeyLengths</c>.</summary>
        public static string Member(string name) => Find(name).Member;

        /// <summary>
        /// What a parameter does, for the file header, under the user's name for it (each description starts with the
        /// table name: <c>lens[b] keys valid per item</c> for <c>[KeyLengths] ReadOnlySpan&lt;int&gt; lens</c>).
        /// </summary>
        public static string Description(string name, string userName) => userName + Find(name).Description.Substring(name.Length);

        private static (string Name, string Type, string Member, string Attribute, string Description) Find(string name)
        {
            foreach ((string Name, string Type, string Member, string Attribute, string Description) parameter in All)
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
