namespace KernelGen.Generator.Planning
{
    /// <summary>A kernel's signature key (<see cref="KernelPlanner.SignatureKey"/>) and its hint name.</summary>
    internal readonly record struct HintNameEntry(string Key, string HintName);
}
