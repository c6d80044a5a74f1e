using System;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// The reproductions that killed the test process (access violation) before the runtime read its run-time
    /// spans once and refused every alias: run-time spans rewritten by another thread during calls, and an output over an
    /// int span. They run on every <c>.ci/run</c> now. The guard-page proof at the end kills the process by design and
    /// runs only on request (<see cref="ProcessKillingTheoryAttribute"/>).
    /// </summary>
    public sealed class ReproductionTests
    {
        private readonly ITestOutputHelper _output;

        public ReproductionTests(ITestOutputHelper output) => _output = output;

        /// <summary>
        /// Run-time spans rewritten during calls (<see cref="SpanMutation"/>). The first is the case: keyLengths
        /// flipping between valid lengths and 0x20000001 (and other bad values) under a two-head d = 8 kernel, B = 2, N = 4.
        /// Each of these ended in an access violation within one <see cref="SpanMutation.Duration"/> when run alone, before.
        /// </summary>
        public static TheoryData<string, int, int, int> MutatedKernels() => new()
        {
            { "H2_D8_KeyLengths", 2, 4, 4 },
            { "H4Kv2_Causal_BothLengths_Lse", 2, 17, 17 },
            { "BiasSinks_Causal_Bhsd_Lengths", 2, 17, 17 },
            { "H4Kv2_Causal_Packed", 3, 33, 33 },
            { "PackedPair_Causal", 3, 20, 40 },
            { "PackedPair_Everything", 3, 20, 40 },
            { "HalfCache_Gqa8x2_CausalWindowGlobals", 2, 17, 17 },
            { "HalfAll_Gqa4x2_Packed_Alibi", 3, 33, 33 },
            { "BFloat16Cache_HalfOutput_Bias_Softcap", 2, 17, 17 },
        };

        [GuardPageTheory]
        [MemberData(nameof(MutatedKernels))]
        public void RunTimeSpansMutatedDuringCalls_EachCallCompletesOrThrowsArgumentException(string name, int batch, int queries, int keys)
        {
            SpanMutation.Outcome outcome = SpanMutation.Race(SafetyCatalog.Get(name), batch, queries, keys);
            _output.WriteLine($"{name}: {outcome}");
            Assert.True(outcome.Unexpected.Count == 0, $"{name}: {outcome}; first: " + string.Join("; ", outcome.Unexpected));
        }

        /// <summary>Output over keyLengths of the bf16-cache, f16-output kernel: it was an access violation every time.</summary>
        public static TheoryData<string, string, string, bool> IntPairs() => SpanAliasing.Pairs(crashed: true);

        [GuardPageTheory]
        [MemberData(nameof(IntPairs))]
        public void WrittenSpanOverlappingAnIntSpan_ThrowsNamingIt_BeforeAnyWrite(string name, string written, string other, bool writtenFirst) =>
            SpanAliasing.AssertRejectedBeforeAnyWrite(name, written, other, writtenFirst);

        /// <summary>
        /// The guard pages themselves: reading one float past a guarded span must kill the process (SIGSEGV). This one
        /// crashes by design; it proves that a passing <see cref="GuardPageTests"/> run means no stray access happened.
        /// </summary>
        [ProcessKillingTheory]
        [InlineData(GuardSide.After)]
        [InlineData(GuardSide.Before)]
        public unsafe void GuardedBuffer_AccessOutsideTheSpan_KillsTheProcess(GuardSide side)
        {
            using var buffer = new GuardedBuffer<float>(16, side);
            float* outside = side == GuardSide.After ? buffer.Pointer + 16 : buffer.Pointer - 1;
            float value = System.Threading.Volatile.Read(ref *outside);
            Assert.Fail($"read {value} outside a guarded span and survived");
        }
    }
}
