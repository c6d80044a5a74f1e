namespace KernelGen.Generator.Model
{
    /// <summary>
    /// A containing type declaration: the modifiers every partial part must repeat (<c>ref</c>), its keyword(s), name,
    /// type-parameter list, and arity, e.g. ("ref", "struct", "Outer", "&lt;T&gt;", 1).
    /// </summary>
    internal sealed record ContainingTypeSpec(string Modifiers, string Keyword, string Name, string TypeParameters, int Arity);
}
