using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace KernelGen.EngineBench
{
    /// <summary>
    /// Issue 14's grouped-query decode: one new token per item, 32 query heads over 8 key/value heads, d = 128, 4096
    /// cached keys, B = 1 and B = 8, causal, one thread; the cache float32, f16 or bf16, in [B, H, N, d] and [B, N, H, d];
    /// beside a plain vectorised sum over the same cache bytes (K + V read once: the bandwidth a step could reach).
    /// </summary>
    [MemoryDiagnoser]
    public class GqaDecodeBenchmarks
    {
        public const int Heads = 32, KeyValueHeads = 8, D = 128, Keys = 4096, MaxBatch = 8;

        private float[] _query = Array.Empty<float>(), _output = Array.Empty<float>();
        private float[] _floatKey = Array.Empty<float>(), _floatValue = Array.Empty<float>();
        private Half[] _halfKey = Array.Empty<Half>(), _halfValue = Array.Empty<Half>();
        private BFloat16[] _bf16Key = Array.Empty<BFloat16>(), _bf16Value = Array.Empty<BFloat16>();

        [Params(1, 8)]
        public int Batch { get; set; }

        /// <summary>K + V elements of the call: B x 8 heads x 4096 keys x 128, twice.</summary>
        private int CacheLength => Batch * KeyValueHeads * Keys * D;

        [GlobalSetup]
        public void Setup()
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            var random = new Random(14);
            _query = Data.Fill(random, MaxBatch * Heads * D);
            _output = new float[MaxBatch * Heads * D];
            _floatKey = Data.Fill(random, MaxBatch * KeyValueHeads * Keys * D);
            _floatValue = Data.Fill(random, _floatKey.Length);
            _halfKey = Array.ConvertAll(_floatKey, static x => (Half)x);
            _halfValue = Array.ConvertAll(_floatValue, static x => (Half)x);
            _bf16Key = Array.ConvertAll(_floatKey, static x => (BFloat16)x);
            _bf16Value = Array.ConvertAll(_floatValue, static x => (BFloat16)x);
        }

        private Span<float> Query => _query.AsSpan(0, Batch * Heads * D);

        private Span<float> Output => _output.AsSpan(0, Batch * Heads * D);

        [Benchmark(Baseline = true)]
        public void FloatBhsd() => GqaBenchKernels.FloatBhsd(Query, _floatKey.AsSpan(0, CacheLength), _floatValue.AsSpan(0, CacheLength), Output, Batch);

        [Benchmark]
        public void FloatBshd() => GqaBenchKernels.FloatBshd(Query, _floatKey.AsSpan(0, CacheLength), _floatValue.AsSpan(0, CacheLength), Output, Batch);

        [Benchmark]
        public void HalfBhsd() => GqaBenchKernels.HalfBhsd(Query, _halfKey.AsSpan(0, CacheLength), _halfValue.AsSpan(0, CacheLength), Output, Batch);

        [Benchmark]
        public void HalfBshd() => GqaBenchKernels.HalfBshd(Query, _halfKey.AsSpan(0, CacheLength), _halfValue.AsSpan(0, CacheLength), Output, Batch);

        [Benchmark]
        public void BFloat16Bhsd() => GqaBenchKernels.BFloat16Bhsd(Query, _bf16Key.AsSpan(0, CacheLength), _bf16Value.AsSpan(0, CacheLength), Output, Batch);

        [Benchmark]
        public void BFloat16Bshd() => GqaBenchKernels.BFloat16Bshd(Query, _bf16Key.AsSpan(0, CacheLength), _bf16Value.AsSpan(0, CacheLength), Output, Batch);

        /// <summary>Reads the float cache's K + V bytes once.</summary>
        [Benchmark]
        public float ReadFloat() => Data.SumBytes(MemoryMarshal.AsBytes(_floatKey.AsSpan(0, CacheLength))) + Data.SumBytes(MemoryMarshal.AsBytes(_floatValue.AsSpan(0, CacheLength)));

        /// <summary>Reads a 16-bit cache's K + V bytes once.</summary>
        [Benchmark]
        public float Read16Bit() => Data.SumBytes(MemoryMarshal.AsBytes(_halfKey.AsSpan(0, CacheLength))) + Data.SumBytes(MemoryMarshal.AsBytes(_halfValue.AsSpan(0, CacheLength)));

        /// <summary>
        /// Every configuration measured interleaved (each round runs all of them once, 15 rounds, medians), with the read
        /// bandwidth of the same bytes: the table in RESULTS.md.
        /// </summary>
        public static void PrintTable(int rounds, string? cache = null)
        {
            Console.WriteLine($"{"B",2} {"cache",-9} {"layout",-12} {"step ms",9} {"read ms",9} {"GB/s",7} {"% of read",10}");
            foreach (int batch in new[] { 1, 8 })
            {
                var bench = new GqaDecodeBenchmarks { Batch = batch };
                bench.Setup();
                (string Cache, string Layout, Action Step, Action Read, int Bytes)[] rows =
                {
                    ("float32", "[B,H,N,d]", bench.FloatBhsd, () => bench.ReadFloat(), 4),
                    ("float32", "[B,N,H,d]", bench.FloatBshd, () => bench.ReadFloat(), 4),
                    ("f16", "[B,H,N,d]", bench.HalfBhsd, () => bench.Read16Bit(), 2),
                    ("f16", "[B,N,H,d]", bench.HalfBshd, () => bench.Read16Bit(), 2),
                    ("bf16", "[B,H,N,d]", bench.BFloat16Bhsd, () => bench.Read16Bit(), 2),
                    ("bf16", "[B,N,H,d]", bench.BFloat16Bshd, () => bench.Read16Bit(), 2),
                };
                rows = Array.FindAll(rows, row => cache is null || row.Cache == cache); // e.g. "--gqa-decode float32" for one type (profiles)
                var steps = new List<double>[rows.Length];
                var reads = new List<double>[rows.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    steps[i] = new List<double>();
                    reads[i] = new List<double>();
                }

                int repeat = batch == 1 ? 20 : 3;
                for (int round = -2; round < rounds; round++)
                {
                    for (int i = 0; i < rows.Length; i++)
                    {
                        double step = Data.Time(rows[i].Step, repeat), read = Data.Time(rows[i].Read, repeat);
                        if (round >= 0)
                        {
                            steps[i].Add(step);
                            reads[i].Add(read);
                        }
                    }
                }

                for (int i = 0; i < rows.Length; i++)
                {
                    double step = Data.Median(steps[i]), read = Data.Median(reads[i]);
                    double bytes = 2.0 * bench.CacheLength * rows[i].Bytes;
                    Console.WriteLine($"{batch,2} {rows[i].Cache,-9} {rows[i].Layout,-12} {step,9:F3} {read,9:F3} {bytes / step / 1e6,7:F2} {read / step,10:P0}");
                }
            }
        }
    }

    /// <summary>Llama-style grouped-query decode kernels: 32 query heads over 8 key/value heads, d = 128, causal.</summary>
    public static partial class GqaBenchKernels
    {
        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void FloatBhsd(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8)]
        [CausalMask]
        public static partial void FloatBshd(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void HalfBhsd(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output, int batch);

        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8)]
        [CausalMask]
        public static partial void HalfBshd(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output, int batch);

        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BFloat16Bhsd(ReadOnlySpan<float> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value, Span<float> output, int batch);

        [AttentionKernel(128, Heads = 32, KeyValueHeads = 8)]
        [CausalMask]
        public static partial void BFloat16Bshd(ReadOnlySpan<float> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value, Span<float> output, int batch);
    }
}
