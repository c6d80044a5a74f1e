namespace KernelGen.Generator.Model
{
    /// <summary>
    /// The implementation part written for a kernel declaration that got a KernelGen error: a body that throws, so the
    /// compiler's "partial method must have an implementation part" (CS8795) does not follow the KG error. Values only.
    /// </summary>
    /// <param name="Namespace">The containing namespace (escaped, dotted), or empty for the global namespace.</param>
    /// <param name="ContainingTypes">The containing types, outermost first, as every partial part repeats them.</param>
    /// <param name="Declaration">Everything before the constraints and the body, with types fully qualified, e.g.
    /// <c>public static partial void Attend(global::System.ReadOnlySpan&lt;float&gt; query, ...)</c>.</param>
    /// <param name="Constraints">The method's constraint clauses (<c>where T : struct</c>), which both parts must state alike.</param>
    /// <param name="ErrorIds">The KG error ids of the declaration, e.g. "KG0003" or "KG0005, KG0007", for the exception's message.</param>
    /// <param name="DisplayName">The method's full name, for the message and the doc comment.</param>
    /// <param name="NullableDirective">Whether the file may say <c>#nullable enable</c> (C# 8 or later).</param>
    /// <param name="HintName">The file's unique name.</param>
    internal sealed record StubSpec(
        string Namespace,
        EquatableArray<ContainingTypeSpec> ContainingTypes,
        string Declaration,
        EquatableArray<string> Constraints,
        string ErrorIds,
        string DisplayName,
        bool NullableDirective,
        string HintName);
}
