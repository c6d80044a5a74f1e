using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning
{
    /// <summary>
    /// One vector width: the runtime's path struct <see cref="Name"/> (generic over the kernel's <c>Head</c> constants) and
    /// how it walks a row of d floats, as <see cref="Chunks"/> (for the header: the code is the runtime's, for any d).
    /// </summary>
    /// <remarks>
    /// <see cref="RowTile"/> query rows share each packed 16-key block in the tiled micro-kernel (0: the path has none):
    /// 8 for Vector512, 4 for Vector256, 2 for Vector128, so a score tile always holds 8 vector accumulators. The runtime's
    /// path reads it from <c>Head.UseTiles</c>; the plan keeps it for the header.
    /// </remarks>
    internal sealed record PathPlan(string Name, string Description, int Lanes, EquatableArray<Chunk> Chunks, int RowTile);
}
