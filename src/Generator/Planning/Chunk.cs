namespace KernelGen.Generator.Planning
{
    /// <summary>One unrolled piece of a row: <see cref="Lanes"/> floats (1 = scalar) starting at <see cref="Offset"/>.</summary>
    internal readonly record struct Chunk(int Lanes, int Offset);
}
