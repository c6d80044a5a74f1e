using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning
{
    /// <summary>
    /// The decisions derived from a <see cref="KernelSpec"/>: names, the head-dimension layout of each vector path, and
    /// the figures the generated header quotes. Pure values, so emission is cached on it. <see cref="Failure"/> is set
    /// (and nothing else is) when planning failed unexpectedly; the emitter reports it as KG0999. <see cref="UseTiles"/> is
    /// false when each row sees too few keys for the tiled micro-kernel to pay (a window narrower than
    /// <see cref="KernelPlanner.MinTiledWindow"/>): rows then run one at a time over exactly their range.
    /// </summary>
    internal sealed record KernelPlan(
        KernelSpec Spec,
        string HintName,
        string ImplementationName,
        EquatableArray<PathPlan> Paths,
        EquatableArray<string> MaskPicture,
        EquatableArray<PairShare> PairShares,
        string? Failure = null)
    {
        /// <summary>Whether the paths have tiles (the planner gives every vector path RowTile 0 for a narrow window).</summary>
        public bool UseTiles
        {
            get
            {
                foreach (PathPlan path in Paths)
                {
                    if (path.RowTile > 0)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

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

    /// <summary>One unrolled piece of a row: <see cref="Lanes"/> floats (1 = scalar) starting at <see cref="Offset"/>.</summary>
    internal readonly record struct Chunk(int Lanes, int Offset);

    /// <summary>The share of the Nq x Nk score matrix a kernel computes at a square size.</summary>
    internal readonly record struct PairShare(int Length, long AllowedPairs);

    /// <summary>A kernel's signature key (<see cref="KernelPlanner.SignatureKey"/>) and its hint name.</summary>
    internal readonly record struct HintNameEntry(string Key, string HintName);
}
