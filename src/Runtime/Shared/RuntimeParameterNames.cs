namespace KernelGen.Engine
{
    /// <summary>
    /// The names of the run-time parameters a batched kernel may declare after <c>int batch</c>, written once. This file is
    /// compiled into the runtime (the names <see cref="BatchedKernelInfo"/> reports unless a kernel sets its own) and
    /// linked into the generator (netstandard2.0: the parser binds a declaration's parameters by these names, the emitter
    /// writes them), so the two cannot disagree.
    /// </summary>
    /// <remarks>
    /// Each constant is named after its <see cref="RuntimeParameter"/> flag and <c>BatchedArguments</c> property; the
    /// generator reads that member name with <c>nameof</c>. Generator.Tests' RuntimeParametersTests checks both exist.
    /// </remarks>
    internal static class RuntimeParameterNames
    {
        public const string KeyLengths = "keyLengths";
        public const string QueryLengths = "queryLengths";
        public const string KeyMask = "keyMask";
        public const string Mask = "mask";
        public const string LogSumExp = "logSumExp";
        public const string SequenceStarts = "sequenceStarts";
        public const string QuerySequenceStarts = "querySequenceStarts";
        public const string KeySequenceStarts = "keySequenceStarts";
        public const string Scale = "scale";
        public const string AlibiSlopes = "alibiSlopes";
        public const string Bias = "bias";
        public const string Sinks = "sinks";
    }
}
