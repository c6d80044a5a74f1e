namespace KernelGen.Generator.Diagnostics
{
    /// <summary>Names of the pipeline steps, so tests can assert which steps were cached.</summary>
    internal static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Specs = nameof(Specs);
        public const string Plans = nameof(Plans);
        public const string Diagnostics = nameof(Diagnostics);
        public const string OrphanMasks = nameof(OrphanMasks);
        public const string Stubs = nameof(Stubs);
    }
}
