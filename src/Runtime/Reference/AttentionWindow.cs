namespace KernelGen
{
    /// <summary>A sliding window of <see cref="Left"/> keys before and <see cref="Right"/> keys after a query's position.</summary>
    /// <param name="Left">Keys visible before the query's position (0 or more).</param>
    /// <param name="Right">Keys visible after the query's position (0 or more).</param>
    public readonly record struct AttentionWindow(int Left, int Right);
}
