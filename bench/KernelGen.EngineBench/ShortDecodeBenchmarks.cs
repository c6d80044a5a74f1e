using System;
using System.Collections.Generic;

namespace KernelGen.EngineBench
{
    /// <summary>
    /// Issue 25's "honest expectations": a decode step (one query row, causal, d = 128, one thread) over short caches, where
    /// the cache sits in L2 and a 16-bit step saves no memory time, only adds widening. Single head (the decoder sample's
    /// shape) and GQA 32/8 heads (B = 1, both layouts), float32, f16 and bf16, Nk from 64 to 2048. Each round runs every
    /// configuration of one Nk once, float32 first; a 16-bit row's ratio is float32's time over its own in the same round,
    /// so drift between rounds (other builds on the host) cancels; medians and the rounds' spread are printed.
    /// </summary>
    public static class ShortDecodeBenchmarks
    {
        private const int D = 128, Heads = 32, KeyValueHeads = 8, MaxKeys = 8192;

        /// <summary>The cache lengths of the table.</summary>
        public static readonly int[] KeyCounts = { 64, 128, 256, 576, 1024, 2048 };

        public static void PrintTable(int rounds, int[]? keyCounts = null, string? shape = null)
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            var random = new Random(25);
            float[] query = Data.Fill(random, Heads * D), output = new float[Heads * D];
            float[] key = Data.Fill(random, KeyValueHeads * MaxKeys * D), value = Data.Fill(random, key.Length);
            Half[] halfKey = Array.ConvertAll(key, static x => (Half)x), halfValue = Array.ConvertAll(value, static x => (Half)x);
            float[] wideKey = new float[MaxKeys * D], wideValue = new float[MaxKeys * D];
            BFloat16[] bf16Key = Array.ConvertAll(key, static x => (BFloat16)x), bf16Value = Array.ConvertAll(value, static x => (BFloat16)x);

            Console.WriteLine($"Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, " +
                $"AVX2 {System.Runtime.Intrinsics.X86.Avx2.IsSupported}; {Environment.ProcessorCount} processors, one thread used");
            Console.WriteLine($"{"shape",-16} {"Nk",5} {"cache",-8} {"us/step",9} {"x float32",10} {"ratio range",14}");
            foreach (int keys in keyCounts ?? KeyCounts)
            {
                int single = keys * D, group = KeyValueHeads * keys * D;
                (string Shape, string Cache, Action Step)[] rows =
                {
                    ("single head", "float32", () => StorageBenchKernels.FloatCache(query.AsSpan(0, D), key.AsSpan(0, single), value.AsSpan(0, single), output.AsSpan(0, D))),
                    ("single head", "f16", () => StorageBenchKernels.HalfCache(query.AsSpan(0, D), halfKey.AsSpan(0, single), halfValue.AsSpan(0, single), output.AsSpan(0, D))),
                    ("single head", "bf16", () => StorageBenchKernels.BFloat16Cache(query.AsSpan(0, D), bf16Key.AsSpan(0, single), bf16Value.AsSpan(0, single), output.AsSpan(0, D))),
                    // The alternative to reading 16-bit rows in place: widen the cache to float32 first (Widening.Widen), then the float step.
                    ("single head", "f16>f32", () =>
                    {
                        Widening.Widen(halfKey.AsSpan(0, single), wideKey.AsSpan(0, single));
                        Widening.Widen(halfValue.AsSpan(0, single), wideValue.AsSpan(0, single));
                        StorageBenchKernels.FloatCache(query.AsSpan(0, D), wideKey.AsSpan(0, single), wideValue.AsSpan(0, single), output.AsSpan(0, D));
                    }),
                    ("GQA [B,H,N,d]", "float32", () => GqaBenchKernels.FloatBhsd(query, key.AsSpan(0, group), value.AsSpan(0, group), output, 1)),
                    ("GQA [B,H,N,d]", "f16", () => GqaBenchKernels.HalfBhsd(query, halfKey.AsSpan(0, group), halfValue.AsSpan(0, group), output, 1)),
                    ("GQA [B,H,N,d]", "bf16", () => GqaBenchKernels.BFloat16Bhsd(query, bf16Key.AsSpan(0, group), bf16Value.AsSpan(0, group), output, 1)),
                    ("GQA [B,N,H,d]", "float32", () => GqaBenchKernels.FloatBshd(query, key.AsSpan(0, group), value.AsSpan(0, group), output, 1)),
                    ("GQA [B,N,H,d]", "f16", () => GqaBenchKernels.HalfBshd(query, halfKey.AsSpan(0, group), halfValue.AsSpan(0, group), output, 1)),
                    ("GQA [B,N,H,d]", "bf16", () => GqaBenchKernels.BFloat16Bshd(query, bf16Key.AsSpan(0, group), bf16Value.AsSpan(0, group), output, 1)),
                };

                rows = Array.FindAll(rows, row => shape is null || row.Shape.StartsWith(shape, StringComparison.OrdinalIgnoreCase)); // "single" or "GQA" (profiles)

                // Warm-up first (tiered compilation replaces a method's first code after 30 calls and a 100 ms delay), then
                // about 3 ms per timing: enough calls to drown the timer, short enough to interleave finely.
                int[] repeats = new int[rows.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    var warmUp = System.Diagnostics.Stopwatch.StartNew();
                    while (warmUp.ElapsedMilliseconds < 300)
                    {
                        rows[i].Step();
                    }
                }

                for (int i = 0; i < rows.Length; i++)
                {
                    double once = Data.Time(rows[i].Step, 50);
                    repeats[i] = Math.Max(5, (int)(3.0 / Math.Max(once, 1e-5)));
                }

                var times = new List<double>[rows.Length];
                var ratios = new List<double>[rows.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    times[i] = new();
                    ratios[i] = new();
                }

                for (int round = -2; round < rounds; round++)
                {
                    double floatTime = 0;
                    for (int i = 0; i < rows.Length; i++)
                    {
                        double time = Data.Time(rows[i].Step, repeats[i]);
                        floatTime = rows[i].Cache == "float32" ? time : floatTime;
                        if (round >= 0)
                        {
                            times[i].Add(time);
                            ratios[i].Add(floatTime / time);
                        }
                    }
                }

                for (int i = 0; i < rows.Length; i++)
                {
                    double time = Data.Median(times[i]) * 1000, ratio = Data.Median(ratios[i]);
                    string range = rows[i].Cache == "float32" ? "" : $"{ratios[i][0]:F2}-{ratios[i][^1]:F2}"; // Median sorted them
                    Console.WriteLine($"{rows[i].Shape,-16} {keys,5} {rows[i].Cache,-8} {time,9:F2} {ratio,10:F2} {range,14}");
                }
            }
        }
    }
}
