using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;
using KernelGen.EngineBench;

namespace KernelGen.Bench
{
    /// <summary>
    /// Issue 14's peer table: KernelGen with float32, f16 and bf16 keys and values against TorchSharp SDPA (libtorch 2.10
    /// CPU) on float32, bf16 and f16 tensors, one thread, causal, d = 128: a decode step (Nq = 1, Nk = 16384) and a
    /// prefill (N = 4096). Measured interleaved (every configuration once per round, medians of 11 rounds), so the
    /// machine's drift between separate runs cancels out of the ratios.
    /// </summary>
    public static class SixteenBitBenchmarks
    {
        public static void PrintTable()
        {
            LibTorchLoader.Prepare();
            torch.set_num_threads(1);
            AttentionThreading.MaxDegreeOfParallelism = 1;
            foreach ((string shape, int queries, int keys, int repeat) in new[] { ("decode Nq = 1, Nk = 16384", 1, 16384, 20), ("prefill N = 4096", 4096, 4096, 1) })
            {
                var random = new Random(14);
                float[] query = Data.Fill(random, queries * 128), key = Data.Fill(random, keys * 128), value = Data.Fill(random, keys * 128), output = new float[queries * 128];
                Half[] halfKey = Array.ConvertAll(key, static x => (Half)x), halfValue = Array.ConvertAll(value, static x => (Half)x);
                BFloat16[] bf16Key = Array.ConvertAll(key, static x => (BFloat16)x), bf16Value = Array.ConvertAll(value, static x => (BFloat16)x);
                bool causal = queries == keys; // a one-row decode step sees every key: SDPA without a mask, as a PyTorch user would call it
                using Tensor tq = torch.tensor(query, new long[] { 1, 1, queries, 128 }), tk = torch.tensor(key, new long[] { 1, 1, keys, 128 });
                using Tensor tv = torch.tensor(value, new long[] { 1, 1, keys, 128 });
                using Tensor bq = tq.to(ScalarType.BFloat16), bk = tk.to(ScalarType.BFloat16), bv = tv.to(ScalarType.BFloat16);
                using Tensor hq = tq.to(ScalarType.Float16), hk = tk.to(ScalarType.Float16), hv = tv.to(ScalarType.Float16);
                var rows = new List<(string Name, Action Run)>
                {
                    ("KernelGen float32", () => SixteenBitKernels.Float(query, key, value, output)),
                    ("KernelGen f16 K/V", () => SixteenBitKernels.Half(query, halfKey, halfValue, output)),
                    ("KernelGen bf16 K/V", () => SixteenBitKernels.BFloat16(query, bf16Key, bf16Value, output)),
                    ("SDPA float32", () => Sdpa(tq, tk, tv, causal)),
                    ("SDPA bf16", () => Sdpa(bq, bk, bv, causal)),
                };
                try
                {
                    Sdpa(hq, hk, hv, causal);
                    rows.Add(("SDPA f16", () => Sdpa(hq, hk, hv, causal)));
                }
                catch (Exception e)
                {
                    Console.WriteLine($"SDPA f16 ({shape}): not run, {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }

                var times = new List<double>[rows.Count];
                for (int i = 0; i < rows.Count; i++)
                {
                    times[i] = new List<double>();
                }

                for (int round = -2; round < 11; round++)
                {
                    for (int i = 0; i < rows.Count; i++)
                    {
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

                double baseline = Data.Median(times[0]);
                Console.WriteLine($"{shape}: {"ms",9} {"vs KernelGen float32",22}");
                for (int i = 0; i < rows.Count; i++)
                {
                    double median = Data.Median(times[i]);
                    Console.WriteLine($"  {rows[i].Name,-22} {median,9:F3} {baseline / median,21:F2}x");
                }
            }
        }

        private static void Sdpa(Tensor query, Tensor key, Tensor value, bool causal)
        {
            using Tensor result = torch.nn.functional.scaled_dot_product_attention(query, key, value, null, 0.0, causal);
        }
    }

    /// <summary>One causal d = 128 kernel per cache element type (float query and output).</summary>
    public static partial class SixteenBitKernels
    {
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void Float(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        public static partial void Half(ReadOnlySpan<float> query, ReadOnlySpan<System.Half> key, ReadOnlySpan<System.Half> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        public static partial void BFloat16(ReadOnlySpan<float> query, ReadOnlySpan<KernelGen.BFloat16> key, ReadOnlySpan<KernelGen.BFloat16> value, Span<float> output);
    }
}
