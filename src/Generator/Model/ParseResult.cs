namespace KernelGen.Generator.Model
{
    /// <summary>
    /// What parsing one method produced: a spec (null when invalid), the diagnostics to report, and for a declaration with
    /// a KernelGen error the throwing implementation part that keeps CS8795 from following it (null when none can be written).
    /// </summary>
    internal sealed record ParseResult(KernelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics, StubSpec? Stub = null);
}
