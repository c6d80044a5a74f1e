using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;
using KernelGen.EngineBench;

namespace KernelGen.Bench
{
    /// <summary>
    /// Batched multi-head calls (issue 5): a padded causal prefill (B = 4, 8 heads, N = 1024, d = 64, lengths 1024, 700,
    /// 500 and 234: 40% padding) and a grouped-query decode step (32 query heads over 8 key/value heads, d = 128, one
    /// query against 4096 cached keys). [B, H, N, d] for KernelGen and TorchSharp alike; both on Threads threads.
    /// </summary>
    [MemoryDiagnoser]
    public class BatchedBenchmarks
    {
        private const int Batch = 4, Heads = 8, Positions = 1024, D = 64;
        private static readonly int[] Lengths = { 1024, 700, 500, 234 };
        private static readonly int[] Full = { 1024, 1024, 1024, 1024 };

        private float[] _query = Array.Empty<float>(), _key = Array.Empty<float>(), _value = Array.Empty<float>(), _output = Array.Empty<float>();
        private float[] _decodeQuery = Array.Empty<float>(), _cache = Array.Empty<float>(), _decodeOutput = Array.Empty<float>();
        private Tensor? _tq, _tk, _tv, _mask, _dq, _dk, _dv;

        [Params(1, 2)]
        public int Threads { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            AttentionThreading.MaxDegreeOfParallelism = Threads;
            var random = new Random(4);
            _query = Data.Fill(random, Batch * Heads * Positions * D);
            _key = Data.Fill(random, _query.Length);
            _value = Data.Fill(random, _query.Length);
            _output = new float[_query.Length];
            _decodeQuery = Data.Fill(random, 32 * 128);
            _cache = Data.Fill(random, 8 * 4096 * 128);
            _decodeOutput = new float[_decodeQuery.Length];

            LibTorchLoader.Prepare();
            torch.set_num_threads(Threads);
            _tq = torch.tensor(_query, new long[] { Batch, Heads, Positions, D });
            _tk = torch.tensor(_key, new long[] { Batch, Heads, Positions, D });
            _tv = torch.tensor(_value, new long[] { Batch, Heads, Positions, D });
            // The boolean mask a PyTorch user passes for padded causal attention: key j visible to query i when j <= i and
            // j < length; padding query rows keep key 0 visible (an all-false row would make SDPA return NaN).
            bool[] allowed = new bool[Batch * Positions * Positions];
            for (int b = 0; b < Batch; b++)
            {
                for (int i = 0; i < Positions; i++)
                {
                    for (int j = 0; j < Positions; j++)
                    {
                        allowed[(b * Positions + i) * Positions + j] = i < Lengths[b] ? j <= i : j == 0;
                    }
                }
            }

            _mask = torch.tensor(allowed, new long[] { Batch, 1, Positions, Positions });
            // Decode with GQA the way a PyTorch user writes it without enable_gqa: each key/value head's 4 query heads
            // stacked as 4 query rows (they share the position, and a decode step sees the whole cache: no mask).
            _dq = torch.tensor(_decodeQuery, new long[] { 1, 8, 4, 128 });
            _dk = torch.tensor(_cache, new long[] { 1, 8, 4096, 128 });
            _dv = torch.tensor(_cache, new long[] { 1, 8, 4096, 128 });
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            foreach (Tensor? tensor in new[] { _tq, _tk, _tv, _mask, _dq, _dk, _dv })
            {
                tensor?.Dispose();
            }
        }

        [Benchmark]
        public void PaddedPrefill_KernelGen() => BenchKernels.BatchedCausal64(_query, _key, _value, _output, Batch, Lengths, Lengths);

        [Benchmark]
        public void UnpaddedPrefill_KernelGen() => BenchKernels.BatchedCausal64(_query, _key, _value, _output, Batch, Full, Full);

        [Benchmark]
        public void PaddedPrefill_TorchSharpSdpa()
        {
            using Tensor result = torch.nn.functional.scaled_dot_product_attention(_tq!, _tk!, _tv!, _mask, 0.0, false);
        }

        [Benchmark]
        public void GqaDecode_KernelGen() => BenchKernels.GqaDecode128(_decodeQuery, _cache, _cache, _decodeOutput, 1);

        [Benchmark]
        public void GqaDecode_TorchSharpSdpa()
        {
            using Tensor result = torch.nn.functional.scaled_dot_product_attention(_dq!, _dk!, _dv!, null, 0.0, false);
        }

        /// <summary>
        /// Max abs difference between KernelGen and TorchSharp on the real rows of the padded prefill, and on the decode
        /// step (both against the double reference's definition of the same masks); for --check.
        /// </summary>
        public (double Prefill, double Decode) MaxDifferenceFromTorch()
        {
            PaddedPrefill_KernelGen();
            using Tensor prefill = torch.nn.functional.scaled_dot_product_attention(_tq!, _tk!, _tv!, _mask, 0.0, false);
            float[] theirs = prefill.data<float>().ToArray();
            double worst = 0;
            for (int b = 0; b < Batch; b++)
            {
                for (int h = 0; h < Heads; h++)
                {
                    for (int i = 0; i < Lengths[b]; i++)
                    {
                        int offset = ((b * Heads + h) * Positions + i) * D;
                        for (int c = 0; c < D; c++)
                        {
                            worst = Math.Max(worst, Math.Abs(_output[offset + c] - theirs[offset + c]));
                        }
                    }
                }
            }

            GqaDecode_KernelGen();
            using Tensor decode = torch.nn.functional.scaled_dot_product_attention(_dq!, _dk!, _dv!, null, 0.0, false);
            float[] decoded = decode.data<float>().ToArray();
            double decodeWorst = 0;
            for (int i = 0; i < decoded.Length; i++)
            {
                decodeWorst = Math.Max(decodeWorst, Math.Abs(_decodeOutput[i] - decoded[i]));
            }

            return (worst, decodeWorst);
        }

        /// <summary>Real (query, key) pairs of the padded prefill over the padded ones.</summary>
        public static double RealPairShare() => Lengths.Sum(static l => l * (l + 1.0) / 2) / (Batch * Positions * (Positions + 1.0) / 2);
    }
}
