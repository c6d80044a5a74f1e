namespace KernelGen.Generator.Model
{
    /// <summary>
    /// The static mask of a kernel. <see cref="GlobalPositions"/> is sorted and unique and only kept when a window exists
    /// (without one, every key is visible anyway).
    /// </summary>
    internal sealed record MaskSpec(bool Causal, bool HasWindow, int WindowLeft, int WindowRight, EquatableArray<int> GlobalPositions)
    {
        public bool HasGlobals => HasWindow && !GlobalPositions.IsEmpty;

        public bool MasksNothing => !Causal && !HasWindow;
    }
}
