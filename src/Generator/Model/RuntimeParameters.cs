namespace KernelGen.Generator.Model
{
    /// <summary>
    /// The run-time parameters a batched kernel may take after <c>int batch</c>, written once: the parser binds a
    /// declaration's parameters against this table (by name and type, in this order), and the emitter declares them
    /// from it.
    /// </summary>
    internal static class RuntimeParameters
    {
        /// <summary>Name and type (as the compiler displays it, without <c>global::</c>), in declaration order.</summary>
        public static readonly (string Name, string Type)[] All =
        {
            ("keyLengths", "System.ReadOnlySpan<int>"),
            ("queryLengths", "System.ReadOnlySpan<int>"),
            ("keyMask", "System.ReadOnlySpan<bool>"),
            ("mask", "System.ReadOnlySpan<bool>"),
            ("logSumExp", "System.Span<float>"),
            ("sequenceStarts", "System.ReadOnlySpan<int>"),
        };

        /// <summary>The order in which the generated <c>RunBatched</c> takes them (every one, absent ones as empty spans).</summary>
        public static readonly string[] CallOrder = { "keyLengths", "queryLengths", "sequenceStarts", "logSumExp", "keyMask", "mask" };

        /// <summary>A parameter's type as generated code spells it, e.g. <c>global::System.ReadOnlySpan&lt;int&gt;</c>.</summary>
        public static string GlobalType(string name)
        {
            foreach ((string Name, string Type) parameter in All)
            {
                if (parameter.Name == name)
                {
                    return "global::" + parameter.Type;
                }
            }

            throw new System.ArgumentException("Not a run-time parameter: " + name, nameof(name));
        }
    }
}
