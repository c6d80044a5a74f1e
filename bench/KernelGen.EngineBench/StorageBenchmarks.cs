using System;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace KernelGen.EngineBench
{
    /// <summary>
    /// Issue 14's first measures: a decode step (Nq = 1, causal, d = 128, 16384 cached keys, one thread) over a float32,
    /// f16 and bf16 cache, beside plain vectorised sums over the same number of bytes (the read bandwidth the step could
    /// reach); and a prefill (N = 4096, causal) with float and f16 keys and values.
    /// </summary>
    [MemoryDiagnoser]
    public class StorageBenchmarks
    {
        private const int Keys = 16384, LongestKeys = 32768, D = 128, PrefillN = 4096;

        private float[] _query = Array.Empty<float>(), _output = Array.Empty<float>();
        private float[] _floatKey = Array.Empty<float>(), _floatValue = Array.Empty<float>();
        private Half[] _halfKey = Array.Empty<Half>(), _halfValue = Array.Empty<Half>();
        private BFloat16[] _bf16Key = Array.Empty<BFloat16>(), _bf16Value = Array.Empty<BFloat16>();
        private float[] _prefillQuery = Array.Empty<float>(), _prefillOutput = Array.Empty<float>();

        [GlobalSetup]
        public void Setup()
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            var random = new Random(14);
            _query = Data.Fill(random, D);
            _output = new float[D];
            _floatKey = Data.Fill(random, LongestKeys * D); // the decode table's longest cache; the benchmarks take the first Keys
            _floatValue = Data.Fill(random, LongestKeys * D);
            _halfKey = Array.ConvertAll(_floatKey, static x => (Half)x);
            _halfValue = Array.ConvertAll(_floatValue, static x => (Half)x);
            _bf16Key = Array.ConvertAll(_floatKey, static x => (BFloat16)x);
            _bf16Value = Array.ConvertAll(_floatValue, static x => (BFloat16)x);
            _prefillQuery = Data.Fill(random, PrefillN * D);
            _prefillOutput = new float[PrefillN * D];
        }

        [Benchmark(Baseline = true)]
        public void DecodeFloat() => StorageBenchKernels.FloatCache(_query, _floatKey.AsSpan(0, Keys * D), _floatValue.AsSpan(0, Keys * D), _output);

        [Benchmark]
        public void DecodeHalf() => StorageBenchKernels.HalfCache(_query, _halfKey.AsSpan(0, Keys * D), _halfValue.AsSpan(0, Keys * D), _output);

        [Benchmark]
        public void DecodeBFloat16() => StorageBenchKernels.BFloat16Cache(_query, _bf16Key.AsSpan(0, Keys * D), _bf16Value.AsSpan(0, Keys * D), _output);

        /// <summary>Reads the float cache's 16 MiB (keys and values) once: the bandwidth a float decode step could reach.</summary>
        [Benchmark]
        public float ReadFloatBytes() => Data.SumBytes(MemoryMarshal.AsBytes(_floatKey.AsSpan(0, Keys * D))) + Data.SumBytes(MemoryMarshal.AsBytes(_floatValue.AsSpan(0, Keys * D)));

        /// <summary>Reads the 16-bit cache's 8 MiB once: the bandwidth a 16-bit decode step could reach.</summary>
        [Benchmark]
        public float Read16BitBytes() => Data.SumBytes(MemoryMarshal.AsBytes(_halfKey.AsSpan(0, Keys * D))) + Data.SumBytes(MemoryMarshal.AsBytes(_halfValue.AsSpan(0, Keys * D)));

        [Benchmark]
        public void PrefillFloat() => StorageBenchKernels.FloatCache(_prefillQuery, _floatKey.AsSpan(0, PrefillN * D), _floatValue.AsSpan(0, PrefillN * D), _prefillOutput);

        /// <summary>
        /// Single-head decode (Nq = 1, causal, d = 128, one thread) per key: float32, f16 and bf16 caches over the first Nk keys,
        /// Nk = 512 (K + V in L2: the arithmetic bound), 16384 (the issue's length; the 16-bit K + V, 8 MiB, is this AMD host's L3 size) and
        /// 32768 (every cache past L3), beside a plain read of the same bytes;
        /// interleaved rounds, medians. If a type's ns per key is the same at every length, its arithmetic, not memory, bounds it.
        /// </summary>
        public static void PrintDecodeTable(int rounds)
        {
            var bench = new StorageBenchmarks();
            bench.Setup();
            Console.WriteLine($"{"Nk",6} {"cache",-8} {"step us",9} {"ns/key",8} {"read us",9} {"% of read",10}");
            foreach (int keys in new[] { 512, 16384, 32768 })
            {
                int length = keys * D;
                (string Name, Action Step, Action Read)[] rows =
                {
                    ("float32", () => StorageBenchKernels.FloatCache(bench._query, bench._floatKey.AsSpan(0, length), bench._floatValue.AsSpan(0, length), bench._output),
                        () => (Data.SumBytes(MemoryMarshal.AsBytes(bench._floatKey.AsSpan(0, length))) + Data.SumBytes(MemoryMarshal.AsBytes(bench._floatValue.AsSpan(0, length)))).GetHashCode()),
                    ("f16", () => StorageBenchKernels.HalfCache(bench._query, bench._halfKey.AsSpan(0, length), bench._halfValue.AsSpan(0, length), bench._output),
                        () => (Data.SumBytes(MemoryMarshal.AsBytes(bench._halfKey.AsSpan(0, length))) + Data.SumBytes(MemoryMarshal.AsBytes(bench._halfValue.AsSpan(0, length)))).GetHashCode()),
                    ("bf16", () => StorageBenchKernels.BFloat16Cache(bench._query, bench._bf16Key.AsSpan(0, length), bench._bf16Value.AsSpan(0, length), bench._output),
                        () => (Data.SumBytes(MemoryMarshal.AsBytes(bench._bf16Key.AsSpan(0, length))) + Data.SumBytes(MemoryMarshal.AsBytes(bench._bf16Value.AsSpan(0, length)))).GetHashCode()),
                };
                var steps = new System.Collections.Generic.List<double>[rows.Length];
                var reads = new System.Collections.Generic.List<double>[rows.Length];
                for (int i = 0; i < rows.Length; i++)
                {
                    steps[i] = new();
                    reads[i] = new();
                }

                int repeat = keys == 512 ? 2000 : 819200 / keys;
                for (int round = -2; round < rounds; round++)
                {
                    for (int i = 0; i < rows.Length; i++)
                    {
                        double step = Data.Time(rows[i].Step, repeat), read = Data.Time(rows[i].Read, repeat); // read: the same K and V bytes
                        if (round >= 0)
                        {
                            steps[i].Add(step);
                            reads[i].Add(read);
                        }
                    }
                }

                for (int i = 0; i < rows.Length; i++)
                {
                    double step = Data.Median(steps[i]) * 1000, read = Data.Median(reads[i]) * 1000;
                    Console.WriteLine($"{keys,6} {rows[i].Name,-8} {step,9:F1} {step * 1000 / keys,8:F2} {read,9:F1} {read / step,10:P0}");
                }
            }
        }

        [Benchmark]
        public void PrefillHalf() => StorageBenchKernels.HalfCache(_prefillQuery, _halfKey.AsSpan(0, PrefillN * D), _halfValue.AsSpan(0, PrefillN * D), _prefillOutput);

    }

    /// <summary>A causal single-head kernel of d = 128 over a float32, f16 and bf16 cache.</summary>
    public static partial class StorageBenchKernels
    {
        [AttentionKernel(128)]
        [CausalMask]
        public static partial void FloatCache(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        public static partial void HalfCache(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output);

        [AttentionKernel(128)]
        [CausalMask]
        public static partial void BFloat16Cache(ReadOnlySpan<float> query, ReadOnlySpan<BFloat16> key, ReadOnlySpan<BFloat16> value, Span<float> output);
    }
}
