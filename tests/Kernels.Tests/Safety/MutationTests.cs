using System;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// Run-time spans rewritten by another thread during calls (see <see cref="SpanMutation"/>): for about
    /// <see cref="SpanMutation.Duration"/> per kernel, every call must complete or throw <see cref="ArgumentException"/>,
    /// and the process must survive. The kernels that crashed the process on the runtime this was written against are in
    /// <see cref="ReproductionTests"/>.
    /// </summary>
    public sealed class MutationTests
    {
        private readonly ITestOutputHelper _output;

        public MutationTests(ITestOutputHelper output) => _output = output;

        /// <summary>Kernel, batch, query rows, key rows: one kernel per family with run-time int, bool or float spans.</summary>
        public static TheoryData<string, int, int, int> Kernels() => new()
        {
            { "H8Kv1_CausalWindowGlobals_Bhsd_KeyLengths", 2, 17, 17 },
            { "H2Kv2_WindowGlobals_Bhsd_QueryLengths_KeyMask_Mask", 2, 17, 17 },
            { "H1Kv1_Causal_KeyMask_Mask_Lse", 2, 17, 17 },
            { "H2_D61_Causal_Packed", 3, 33, 33 },
            { "Everything", 2, 17, 17 },
            { "Bias_Full_Masks", 2, 17, 17 },
            { "Alibi_WindowGlobals_Slopes", 2, 17, 17 },
        };

        [GuardPageTheory]
        [MemberData(nameof(Kernels))]
        public void RunTimeSpansMutatedDuringCalls_EachCallCompletesOrThrowsArgumentException(string name, int batch, int queries, int keys)
        {
            SpanMutation.Outcome outcome = SpanMutation.Race(SafetyCatalog.Get(name), batch, queries, keys);
            _output.WriteLine($"{name}: {outcome}");
            Assert.True(outcome.Unexpected.Count == 0, $"{name}: {outcome}; first: " + string.Join("; ", outcome.Unexpected.Distinct().Take(3)));
            Assert.True(outcome.Completed + outcome.Rejected > 0, $"{name}: no call finished");
        }
    }
}
