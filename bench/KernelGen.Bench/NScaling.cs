using System;
using System.Collections.Generic;
using KernelGen.EngineBench;

namespace KernelGen.Bench
{
    /// <summary>
    /// Issue 12's cache-blocking line: a full-mask d = 128 kernel on one thread from N = 512 (K + V in any L2) to N = 32768
    /// (32 MiB of K + V, past any L2 and this machine's L3), as time per score pair; flat means the loops, not the caches,
    /// bound it. Each N is timed for at least a second (median of 5 runs of that; 3 runs when one call takes more than 5 s).
    /// Arguments after --n-scaling: a comma-separated list of N (default 512,...,32768).
    /// </summary>
    public static class NScaling
    {
        public static void PrintTable(string[] args)
        {
            int at = Array.IndexOf(args, "--n-scaling");
            int[] sizes = at + 1 < args.Length && char.IsDigit(args[at + 1][0])
                ? Array.ConvertAll(args[at + 1].Split(','), int.Parse)
                : new[] { 512, 1024, 2048, 4096, 8192, 16384, 32768 };
            AttentionThreading.MaxDegreeOfParallelism = 1;
            Console.WriteLine($"{"N",6} {"ms per call",12} {"ns per pair",12} {"GFLOP/s",8}");
            foreach (int n in sizes)
            {
                var random = new Random(n);
                float[] query = Data.Fill(random, n * 128), key = Data.Fill(random, n * 128), value = Data.Fill(random, n * 128), output = new float[n * 128];
                var warmUp = System.Diagnostics.Stopwatch.StartNew();
                BenchKernels.Full128(query, key, value, output);
                int runs = warmUp.ElapsedMilliseconds > 5000 ? 3 : 5;
                var times = new List<double>();
                for (int run = 0; run < runs; run++)
                {
                    int calls = 0;
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    do
                    {
                        BenchKernels.Full128(query, key, value, output);
                        calls++;
                    }
                    while (watch.ElapsedMilliseconds < 1000);
                    times.Add(watch.Elapsed.TotalMilliseconds / calls);
                }

                times.Sort();
                double ms = times[times.Count / 2];
                double pairs = (double)n * n;
                Console.WriteLine($"{n,6} {ms,12:F2} {ms * 1e6 / pairs,12:F3} {pairs * 128 * 4 / (ms * 1e6),8:F1}");
            }
        }
    }
}
