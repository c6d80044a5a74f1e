using System;
using System.Collections.Generic;

namespace KernelGen.Bench
{
    /// <summary>
    /// Issue 12's cache-blocking line: a full-mask d = 128 kernel on one thread from N = 512 (K + V in any L2) to N = 16384
    /// (16 MiB of K + V, past this machine's L3), as time per score pair; flat means the loops, not the caches, bound it.
    /// Each N is timed for at least a second (medians of 5 runs of that).
    /// </summary>
    public static class NScaling
    {
        public static void PrintTable()
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            Console.WriteLine($"{"N",6} {"ms per call",12} {"ns per pair",12} {"GFLOP/s",8}");
            foreach (int n in new[] { 512, 1024, 2048, 4096, 8192, 16384 })
            {
                var random = new Random(n);
                float[] query = Fill(random, n * 128), key = Fill(random, n * 128), value = Fill(random, n * 128), output = new float[n * 128];
                BenchKernels.Full128(query, key, value, output);
                var times = new List<double>();
                for (int run = 0; run < 5; run++)
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

        private static float[] Fill(Random random, int length)
        {
            float[] data = new float[length];
            for (int i = 0; i < length; i++)
            {
                data[i] = (float)(random.NextDouble() * 2 - 1);
            }

            return data;
        }
    }
}
