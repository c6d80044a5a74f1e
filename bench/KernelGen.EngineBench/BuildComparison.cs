using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace KernelGen.EngineBench
{
    /// <summary>
    /// Times a fixed set of calls for comparing two builds of KernelGen (bench/ab.sh runs this mode of both builds in
    /// alternating processes, so drift of a shared host falls on both alike): the single-head peer table at N = 1024
    /// (every mask, d = 64 and 128) and the full and causal d = 128 rows at N = 4096, the batched table's calls, and
    /// single-head decode over 16384 keys (float32, f16, bf16). One thread. Prints one line per call: name and the
    /// median milliseconds of its repetitions.
    /// </summary>
    internal static class BuildComparison
    {
        public static void Run(string? only)
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            foreach ((string name, Action call) in Calls())
            {
                if (only is not null && !name.Contains(only, StringComparison.Ordinal))
                {
                    continue;
                }

                Console.WriteLine($"{name}\t{MedianMilliseconds(call):F4}");
            }
        }

        private static IEnumerable<(string Name, Action Call)> Calls()
        {
            foreach ((string mask, int d, int n) in SingleHeadShapes())
            {
                var single = new SingleHeadBenchmarks { Mask = mask, HeadDim = d, N = n };
                single.Setup();
                yield return ($"single {mask} d={d} N={n}", single.KernelGen);
            }

            var batched = new BatchedEngineBenchmarks { Threads = 1 };
            batched.Setup();
            yield return ("batched padded prefill", batched.PaddedPrefill);
            yield return ("batched unpadded prefill", batched.UnpaddedPrefill);
            yield return ("batched keyMask prefill", batched.KeyMaskPrefill);
            yield return ("batched document-mask prefill", batched.DocumentMaskPrefill);
            yield return ("batched GQA decode", batched.GqaDecode);

            var storage = new StorageBenchmarks();
            storage.Setup();
            yield return ("decode 16384 float32", storage.DecodeFloat);
            yield return ("decode 16384 f16", storage.DecodeHalf);
            yield return ("decode 16384 bf16", storage.DecodeBFloat16);
        }

        private static IEnumerable<(string Mask, int D, int N)> SingleHeadShapes()
        {
            foreach (string mask in new[] { "full", "causal", "causal+window(256,0)", "window(256,256)+globals" })
            {
                foreach (int d in new[] { 64, 128 })
                {
                    yield return (mask, d, 1024);
                }
            }

            yield return ("full", 128, 4096);
            yield return ("causal", 128, 4096);
        }

        /// <summary>Warms up (JIT to tier 1), then the median of repetitions that together take about half a second.</summary>
        private static double MedianMilliseconds(Action call)
        {
            var clock = Stopwatch.StartNew();
            int calls = 0;
            while (clock.ElapsedMilliseconds < 400 || calls < 3)
            {
                call();
                calls++;
            }

            double first = clock.Elapsed.TotalMilliseconds / calls;
            int repetitions = (int)Math.Clamp(500 / first, 5, 2000);
            var times = new double[repetitions];
            for (int i = 0; i < repetitions; i++)
            {
                long start = Stopwatch.GetTimestamp();
                call();
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(times);
            return times[repetitions / 2];
        }
    }
}
