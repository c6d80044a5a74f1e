using Xunit;

namespace KernelGen.Package.Tests
{
    /// <summary>
    /// The test classes that consume the packed package share one <see cref="PackageFixture"/> (one pack, one feed) and
    /// run one after another, so their restores never race over the package in NuGet's global cache.
    /// </summary>
    [CollectionDefinition(Name)]
    public sealed class PackageCollection : ICollectionFixture<PackageFixture>
    {
        public const string Name = "Packed package";
    }
}
