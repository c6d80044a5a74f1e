namespace KernelGen.Generator.Planning
{
    /// <summary>The share of the Nq x Nk score matrix a kernel computes at a square size.</summary>
    internal readonly record struct PairShare(int Length, long AllowedPairs);
}
