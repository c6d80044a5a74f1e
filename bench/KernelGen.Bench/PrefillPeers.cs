using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;
using KernelGen.EngineBench;

namespace KernelGen.Bench
{
    /// <summary>
    /// KernelGen against TorchSharp SDPA (libtorch 2.10 CPU) and ONNX Runtime 1.31.1 (one-node com.microsoft models, see
    /// <see cref="OrtPeer"/>) on prefill shapes, d = 128, float32, interleaved (every row
    /// once per round, medians of 7 rounds): full and causal at N = 1024 and 4096 on one thread, and KernelGen's
    /// two-thread speed-up at N = 4096. The FMA peak row is this core's measured multiply-add rate (FmaPeakBenchmarks'
    /// loop: independent Vector256 FMAs), so "% of peak" counts 4 d flop per computed pair (causal: N (N + 1) / 2 pairs).
    /// </summary>
    public static class PrefillPeers
    {
        public static void PrintTable()
        {
            LibTorchLoader.Prepare();
            foreach (int n in new[] { 1024, 4096 })
            {
                var random = new Random(n);
                float[] query = Data.Fill(random, n * 128), key = Data.Fill(random, n * 128), value = Data.Fill(random, n * 128), output = new float[n * 128];
                using Tensor tq = torch.tensor(query, new long[] { 1, 1, n, 128 }), tk = torch.tensor(key, new long[] { 1, 1, n, 128 });
                using Tensor tv = torch.tensor(value, new long[] { 1, 1, n, 128 });
                using var ortFull = new OrtPeer("MultiHeadAttention", n, 128, query, key, value, threads: 1);
                using var ortCausal = new OrtPeer("GroupQueryAttention", n, 128, query, key, value, threads: 1);
                using var ortWindow = new OrtPeer("GroupQueryAttention", n, 128, query, key, value, threads: 1, window: 257);
                CheckAgainst("ORT MultiHeadAttention", ortFull, () => BenchKernels.Full128(query, key, value, output), output);
                CheckAgainst("ORT GroupQueryAttention", ortCausal, () => BenchKernels.Causal128(query, key, value, output), output);
                CheckAgainst("ORT GroupQueryAttention, local_window_size 257", ortWindow, () => BenchKernels.CausalWindow128(query, key, value, output), output);
                double windowPairs = 0;
                for (int i = 0; i < n; i++)
                {
                    windowPairs += Math.Min(i + 1, 257);
                }

                var rows = new List<(string Name, int Threads, double Pairs, Action Run)>
                {
                    ("KernelGen full", 1, (double)n * n, () => BenchKernels.Full128(query, key, value, output)),
                    ("SDPA full", 1, (double)n * n, () => Sdpa(tq, tk, tv, false)),
                    ("ORT MHA full", 1, (double)n * n, () => ortFull.Run()),
                    ("KernelGen causal", 1, n * (n + 1) / 2.0, () => BenchKernels.Causal128(query, key, value, output)),
                    ("SDPA causal", 1, n * (n + 1) / 2.0, () => Sdpa(tq, tk, tv, true)),
                    ("ORT GQA causal", 1, n * (n + 1) / 2.0, () => ortCausal.Run()),
                    ("KernelGen causal+window(256,0)", 1, windowPairs, () => BenchKernels.CausalWindow128(query, key, value, output)),
                    ("ORT GQA window 257", 1, windowPairs, () => ortWindow.Run()),
                    ("KernelGen full, 2 threads", 2, (double)n * n, () => BenchKernels.Full128(query, key, value, output)),
                    ("KernelGen causal, 2 threads", 2, n * (n + 1) / 2.0, () => BenchKernels.Causal128(query, key, value, output)),
                };
                var times = new List<double>[rows.Count];
                for (int i = 0; i < rows.Count; i++)
                {
                    times[i] = new List<double>();
                }

                int repeat = n == 1024 ? 10 : 1;
                for (int round = -1; round < 7; round++)
                {
                    for (int i = 0; i < rows.Count; i++)
                    {
                        AttentionThreading.MaxDegreeOfParallelism = rows[i].Threads;
                        torch.set_num_threads(rows[i].Threads);
                        var watch = System.Diagnostics.Stopwatch.StartNew();
                        for (int r = 0; r < repeat; r++)
                        {
                            rows[i].Run();
                        }

                        if (round >= 0)
                        {
                            times[i].Add(watch.Elapsed.TotalMilliseconds / repeat);
                        }
                    }
                }

                Console.WriteLine($"N = {n}, d = 128: {"ms",10} {"GFLOP/s",8}");
                for (int i = 0; i < rows.Count; i++)
                {
                    times[i].Sort();
                    double ms = times[i][times[i].Count / 2];
                    Console.WriteLine($"  {rows[i].Name,-28} {ms,10:F2} {rows[i].Pairs * 128 * 4 / (ms * 1e6),8:F1}");
                }
            }

            AttentionThreading.MaxDegreeOfParallelism = Environment.ProcessorCount;
        }

        /// <summary>Prints the largest difference between the peer's output and KernelGen's (both against the same inputs).</summary>
        private static void CheckAgainst(string name, OrtPeer peer, Action kernel, float[] output)
        {
            float[] theirs = new float[output.Length];
            peer.Run(theirs);
            kernel();
            double max = 0;
            for (int i = 0; i < output.Length; i++)
            {
                max = Math.Max(max, Math.Abs(theirs[i] - output[i]));
            }

            Console.WriteLine($"  check: {name} vs KernelGen, max abs difference {max:E2}");
        }

        private static void Sdpa(Tensor query, Tensor key, Tensor value, bool causal)
        {
            using Tensor result = torch.nn.functional.scaled_dot_product_attention(query, key, value, null, 0.0, causal);
        }
    }
}
