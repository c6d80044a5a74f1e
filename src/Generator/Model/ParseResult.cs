namespace KernelGen.Generator.Model
{
    /// <summary>What parsing one method produced: a spec (null when invalid) and the diagnostics to report.</summary>
    internal sealed record ParseResult(KernelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
}
