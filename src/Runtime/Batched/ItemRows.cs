namespace KernelGen.Engine
{
    /// <summary>An item's valid query and key counts and its first query and key rows (0 unless packed).</summary>
    internal readonly record struct ItemRows(int Queries, int Keys, int FirstQuery, int FirstKey);
}
