using Xunit;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// Output and logSumExp overlapping every other span of the call (query, key, value, the other written span, keyLengths,
    /// queryLengths, sequenceStarts, querySequenceStarts, keySequenceStarts, keyMask, mask, bias, alibiSlopes, sinks) in
    /// every family: an <see cref="System.ArgumentException"/> naming the written parameter, and not one byte written
    /// (<see cref="SpanAliasing"/>). The pairs that crashed the process on the runtime this was written against are in
    /// <see cref="ReproductionTests"/>.
    /// </summary>
    public sealed class AliasingTests
    {
        public static TheoryData<string, string, string, bool> Pairs() => SpanAliasing.Pairs(crashed: false);

        [Theory]
        [MemberData(nameof(Pairs))]
        public void WrittenSpanOverlappingAnother_ThrowsNamingIt_BeforeAnyWrite(string name, string written, string other, bool writtenFirst) =>
            SpanAliasing.AssertRejectedBeforeAnyWrite(name, written, other, writtenFirst);
    }
}
