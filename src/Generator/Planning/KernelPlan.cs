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
}
