using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// Every span of a call (query, key, value, output, logSumExp and each run-time span) sits flush against a no-access
    /// page, first after its end, then, in a second call, before its start: a single element read or written outside a span
    /// kills the process with SIGSEGV, so a passing run proves no out-of-bounds access on these shapes; the output must
    /// still be the reference's. One theory row per kernel of <see cref="SafetyCatalog"/> (every family; d = 1, 3, 8, 16,
    /// 24, 32, 37, 48, 61, 64, 80, 128 across them).
    /// </summary>
    /// <remarks>
    /// The grid: N in {0, 1, 15, 16, 17, 63, 65, 257} for every kernel: single-head Nq = Nk = N, Nq = N + 3 over N keys,
    /// and decode (1, N); batched B = 2 with padded Nq = Nk = N, random key/query lengths in 0..N (item 0 full), Nq = N + 3
    /// over Nk = N, and decode (1, N); packed B = 3 over
    /// N rows split at random, the separate-starts kernels also with N query rows over N + 7 key rows. The d values are the
    /// declared kernels' (the full N x d cross product runs for the single-head family only: d = 1, 8, 61, 64, 128).
    /// </remarks>
    public sealed class GuardPageTests
    {
        public static readonly int[] Lengths = { 0, 1, 15, 16, 17, 63, 65, 257 };

        private readonly ITestOutputHelper _output;

        public GuardPageTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string> Names() => SafetyCatalog.Names();

        public static IEnumerable<(int Batch, int Queries, int Keys)> Shapes(SafetyCase kernel)
        {
            int batch = kernel.Packed || kernel.PackedPair ? 3 : kernel.Batched ? 2 : 1;
            foreach (int n in Lengths)
            {
                yield return (batch, n, n);
                if (kernel.PackedPair)
                {
                    yield return (batch, n, n + 7);
                }
                else if (!kernel.Packed)
                {
                    yield return (batch, n + 3, n); // more queries than keys
                    if (n > 1)
                    {
                        yield return (batch, 1, n); // decode
                    }
                }
            }
        }

        [GuardPageTheory]
        [MemberData(nameof(Names))]
        public void EverySpanFlushAgainstANoAccessPage_MatchesReference(string name)
        {
            SafetyCase kernel = SafetyCatalog.Get(name);
            var failures = new List<string>();
            var clock = Stopwatch.StartNew();
            int calls = 0;
            foreach ((int batch, int queries, int keys) in Shapes(kernel))
            {
                SafetyProblem problem = SafetyProblem.Create(kernel, batch, queries, keys, seed: queries * 131 + keys * 7 + batch);
                foreach (GuardSide side in new[] { GuardSide.After, GuardSide.Before })
                {
                    calls++;
                    string? problemText = problem.RunGuarded(side);
                    if (problemText is not null)
                    {
                        failures.Add($"{problem.Shape}, guard {side}: {problemText}");
                    }
                }
            }

            _output.WriteLine($"{name} ({kernel.Family}, d={kernel.HeadDimension}): {calls} guarded calls in {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(failures.Count == 0, $"{name}: {failures.Count} of {calls} calls differ from the reference; first: " + string.Join("; ", failures.Take(4)));
        }

        /// <summary>The helper itself: spans of every length end (or start) exactly at the no-access page, and free cleanly.</summary>
        [GuardPageFact]
        public unsafe void GuardedBuffer_SpanIsFlushAgainstThePage()
        {
            int page = Environment.SystemPageSize;
            foreach (int length in new[] { 0, 1, 3, page / 4, page / 4 + 1, page })
            {
                using var after = new GuardedBuffer<float>(length, GuardSide.After);
                using var before = new GuardedBuffer<float>(length, GuardSide.Before);
                Assert.Equal(0, (long)(after.Pointer + length) % page);
                Assert.Equal(0, (long)before.Pointer % page);
                after.Span.Fill(1f);
                before.Span.Fill(2f);
                Assert.True(after.Span.IndexOfAnyExcept(1f) < 0 && before.Span.IndexOfAnyExcept(2f) < 0);
            }
        }
    }
}
