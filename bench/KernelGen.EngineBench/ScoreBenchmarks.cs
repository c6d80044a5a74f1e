using System;
using BenchmarkDotNet.Attributes;

namespace KernelGen.EngineBench
{
    /// <summary>
    /// Issue 13's measures: one thread, d = 128, causal, N = 4096 (B = 1, H = 1), the same kernel without and with each
    /// score modifier ([Softcap(50)], [Alibi], sinks, a [Nq, Nk] bias), and a decode step (Nq = 1) over 16384 keys
    /// without and with sinks. Each modified call is compared with <see cref="Plain"/> (targets: 1.15x, bias 1.4x, decode
    /// with sinks 1.05x).
    /// </summary>
    [MemoryDiagnoser]
    public class ScoreBenchmarks
    {
        private const int N = 4096, DecodeKeys = 16384, D = 128;

        private float[] _query = Array.Empty<float>(), _key = Array.Empty<float>(), _value = Array.Empty<float>(), _output = Array.Empty<float>();
        private float[] _bias = Array.Empty<float>(), _sinks = { 0.5f };
        private float[] _decodeQuery = Array.Empty<float>(), _cacheKey = Array.Empty<float>(), _cacheValue = Array.Empty<float>(), _decodeOutput = Array.Empty<float>();

        [GlobalSetup]
        public void Setup()
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            var random = new Random(13);
            _query = Data.Fill(random, N * D);
            _key = Data.Fill(random, N * D);
            _value = Data.Fill(random, N * D);
            _output = new float[N * D];
            _bias = Data.Fill(random, N * N);
            _decodeQuery = Data.Fill(random, D);
            _cacheKey = Data.Fill(random, DecodeKeys * D);
            _cacheValue = Data.Fill(random, DecodeKeys * D);
            _decodeOutput = new float[D];
        }

        /// <summary>
        /// Each modified call's median time over the plain call's, the two alternated call by call for
        /// <paramref name="rounds"/> rounds (after two warm-up rounds), one thread.
        /// </summary>
        public static void PrintInterleavedRatios(int rounds)
        {
            var bench = new ScoreBenchmarks();
            bench.Setup();
            (string Name, Action Plain, Action Modified, double Target)[] pairs =
            {
                ("Softcap(50)", bench.Plain, bench.Softcap, 1.15),
                ("Softcap(0.5), mixed lanes", bench.Plain, bench.SoftcapMixed, 1.15),
                ("Alibi", bench.Plain, bench.Alibi, 1.15),
                ("sinks", bench.Plain, bench.Sinks, 1.15),
                ("bias [Nq, Nk]", bench.Plain, bench.Bias, 1.4),
                ("decode 16384 keys, sinks", bench.DecodePlain, bench.DecodeSinks, 1.05),
            };
            Console.WriteLine($"{"modifier",-28} {"plain ms",10} {"modified ms",12} {"ratio",7} {"target",7}");
            foreach ((string name, Action plain, Action modified, double target) in pairs)
            {
                int repeat = name.StartsWith("decode", StringComparison.Ordinal) ? 50 : 1;
                var plainTimes = new System.Collections.Generic.List<double>();
                var modifiedTimes = new System.Collections.Generic.List<double>();
                for (int round = -2; round < rounds; round++)
                {
                    double p = Data.Time(plain, repeat), m = Data.Time(modified, repeat);
                    if (round >= 0)
                    {
                        plainTimes.Add(p);
                        modifiedTimes.Add(m);
                    }
                }

                double plainMedian = Data.Median(plainTimes), modifiedMedian = Data.Median(modifiedTimes);
                Console.WriteLine($"{name,-28} {plainMedian,10:F3} {modifiedMedian,12:F3} {modifiedMedian / plainMedian,7:F3} {target,7:F2}");
            }
        }


        [Benchmark(Baseline = true)]
        public void Plain() => ScoreBenchKernels.Plain(_query, _key, _value, _output, 1);

        [Benchmark]
        public void Softcap() => ScoreBenchKernels.Softcap(_query, _key, _value, _output, 1);

        /// <summary>
        /// A cap near the scores' own size (these inputs give scaled scores of standard deviation about 0.33), so vectors
        /// mix lanes below and above TanhOp's polynomial threshold (0.625 cap) and every one pays the exp and the division.
        /// </summary>
        [Benchmark]
        public void SoftcapMixed() => ScoreBenchKernels.SoftcapMixed(_query, _key, _value, _output, 1);

        [Benchmark]
        public void Alibi() => ScoreBenchKernels.Alibi(_query, _key, _value, _output, 1);

        [Benchmark]
        public void Sinks() => ScoreBenchKernels.Sinks(_query, _key, _value, _output, 1, _sinks);

        [Benchmark]
        public void Bias() => ScoreBenchKernels.Bias(_query, _key, _value, _output, 1, _bias);

        [Benchmark]
        public void DecodePlain() => ScoreBenchKernels.Plain(_decodeQuery, _cacheKey, _cacheValue, _decodeOutput, 1);

        [Benchmark]
        public void DecodeSinks() => ScoreBenchKernels.Sinks(_decodeQuery, _cacheKey, _cacheValue, _decodeOutput, 1, _sinks);
    }

    /// <summary>
    /// One head of d = 128, causal, as a batched kernel (B = 1, H = 1), without and with each score modifier; [B, H, N, d] so
    /// the rows are read in place ([B, N, H, d] gathers each key/value head first, which would add a copy of the cache to the
    /// decode step).
    /// </summary>
    public static partial class ScoreBenchKernels
    {
        [AttentionKernel(128, Heads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void Plain(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(128, Heads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        [Softcap(50f)]
        public static partial void Softcap(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(128, Heads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        [Softcap(0.5f)]
        public static partial void SoftcapMixed(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(128, Heads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        [Alibi]
        public static partial void Alibi(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

        [AttentionKernel(128, Heads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void Sinks(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<float> sinks);

        [AttentionKernel(128, Heads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void Bias(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<float> bias);
    }
}
