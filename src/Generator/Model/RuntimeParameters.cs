namespace KernelGen.Generator.Model
{
    /// <summary>
    /// The run-time parameters a batched kernel may take after <c>int batch</c>, written once: the parser binds a
    /// declaration's parameters against this table (by name and type, in this order), and the emitter declares them,
    /// sets them on the runtime's <c>BatchedArguments</c> and flags them in <c>BatchedKernelInfo</c> from it.
    /// </summary>
    internal static class RuntimeParameters
    {
        /// <summary>
        /// Name, type (as the compiler displays it, without <c>global::</c>), member (the runtime's <c>RuntimeParameter</c>
        /// flag and <c>BatchedArguments</c> property) and what it does (for the file header), in declaration order.
        /// </summary>
        public static readonly (string Name, string Type, string Member, string Description)[] All =
        {
            ("keyLengths", "System.ReadOnlySpan<int>", "KeyLengths", "keyLengths[b] keys valid per item (padding keys are never read)"),
            ("queryLengths", "System.ReadOnlySpan<int>", "QueryLengths", "queryLengths[b] queries valid per item (padding rows are written as zeros)"),
            ("keyMask", "System.ReadOnlySpan<bool>", "KeyMask", "keyMask[b, j] false drops key j of item b for this call"),
            ("mask", "System.ReadOnlySpan<bool>", "Mask", "mask[b, i, j] (or mask[i, j] for every item) false hides key j from query i"),
            ("logSumExp", "System.Span<float>", "LogSumExp", "logSumExp receives each row's ln sum exp(s) over its visible keys (plus e^sink with sinks; -inf for none, or the sink)"),
            ("sequenceStarts", "System.ReadOnlySpan<int>", "SequenceStarts", "sequenceStarts[b] .. sequenceStarts[b + 1] are item b's rows in packed [total, H, d] spans (no padding)"),
            ("querySequenceStarts", "System.ReadOnlySpan<int>", "QuerySequenceStarts", "querySequenceStarts[b] .. [b + 1] are item b's query rows in packed [totalQ, H, d] spans"),
            ("keySequenceStarts", "System.ReadOnlySpan<int>", "KeySequenceStarts", "keySequenceStarts[b] .. [b + 1] are item b's key rows in packed [totalK, KVH, d] spans"),
            ("scale", "float", "Scale", "scale replaces the compile-time score scale for the call (finite, > 0)"),
            ("alibiSlopes", "System.ReadOnlySpan<float>", "AlibiSlopes", "alibiSlopes [H] or [B, H] replace the standard ALiBi slopes (empty keeps them)"),
            ("bias", "System.ReadOnlySpan<float>", "Bias", "bias [Nq, Nk], [B, Nq, Nk] or [B, H, Nq, Nk] is added to every score (-inf hides a key)"),
            ("sinks", "System.ReadOnlySpan<float>", "Sinks", "sinks[h] joins every softmax denominator of query head h as e^sinks[h]"),
        };

        /// <summary>A parameter's type as generated code spells it, e.g. <c>global::System.ReadOnlySpan&lt;int&gt;</c>.</summary>
        public static string GlobalType(string name) => Find(name).Type.StartsWith("System.", System.StringComparison.Ordinal) ? "global::" + Find(name).Type : Find(name).Type;

        /// <summary>A parameter's type as a message spells it, without the <c>System.</c> namespace, e.g. <c>ReadOnlySpan&lt;int&gt;</c>.</summary>
        public static string ShortType(string type) => type.StartsWith("System.", System.StringComparison.Ordinal) ? type.Substring("System.".Length) : type;

        /// <summary>A parameter's <c>RuntimeParameter</c> flag and <c>BatchedArguments</c> property, e.g. <c>KeyLengths</c>.</summary>
        public static string Member(string name) => Find(name).Member;

        /// <summary>What a parameter does, for the file header.</summary>
        public static string Description(string name) => Find(name).Description;

        private static (string Name, string Type, string Member, string Description) Find(string name)
        {
            foreach ((string Name, string Type, string Member, string Description) parameter in All)
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
