using Xunit;

namespace KernelGen.Tests
{
    /// <summary>
    /// The test classes that change <see cref="AttentionThreading.MaxDegreeOfParallelism"/> (a process-wide setting) run
    /// one after another, so one class's save and restore cannot interleave with another's.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class ProcessWideThreadSetting
    {
        public const string Name = "Process-wide thread setting";
    }
}
