using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using KernelGen.Bench;

namespace KernelGen.EngineBench
{
    /// <summary>The one-thread peer table's KernelGen column: every mask at d = 64 and 128, N = 512 to 4096.</summary>
    [MemoryDiagnoser]
    public class SingleHeadBenchmarks
    {
        private float[] _query = Array.Empty<float>(), _key = Array.Empty<float>(), _value = Array.Empty<float>(), _output = Array.Empty<float>();
        private Kernel _kernel = BenchKernels.Full64;

        public delegate void Kernel(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [ParamsSource(nameof(Masks))]
        public string Mask { get; set; } = "full";

        [Params(64, 128)]
        public int HeadDim { get; set; }

        [ParamsSource(nameof(Lengths))]
        public int N { get; set; }

        /// <summary>Every mask, or those in KERNELGEN_BENCH_MASKS (comma-separated), e.g. to re-measure a few configurations longer.</summary>
        public static IEnumerable<string> Masks => Focus("KERNELGEN_BENCH_MASKS", new[] { "full", "causal", "causal+window(256,0)", "window(256,256)+globals" }, static s => s);

        /// <summary>N = 512 to 4096, or those in KERNELGEN_BENCH_N.</summary>
        public static IEnumerable<int> Lengths => Focus("KERNELGEN_BENCH_N", new[] { 512, 1024, 2048, 4096 }, int.Parse);

        private static IEnumerable<T> Focus<T>(string variable, T[] all, Func<string, T> parse) =>
            Environment.GetEnvironmentVariable(variable) is { Length: > 0 } focus ? focus.Split(',').Select(parse).ToArray() : all;

        [GlobalSetup]
        public void Setup()
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            var random = new Random(1);
            _query = Data.Fill(random, N * HeadDim);
            _key = Data.Fill(random, N * HeadDim);
            _value = Data.Fill(random, N * HeadDim);
            _output = new float[N * HeadDim];
            _kernel = (Mask, HeadDim) switch
            {
                ("full", 64) => BenchKernels.Full64,
                ("full", 128) => BenchKernels.Full128,
                ("causal", 64) => BenchKernels.Causal64,
                ("causal", 128) => BenchKernels.Causal128,
                ("causal+window(256,0)", 64) => BenchKernels.CausalWindow64,
                ("causal+window(256,0)", 128) => BenchKernels.CausalWindow128,
                ("window(256,256)+globals", 64) => BenchKernels.WindowGlobals64,
                _ => BenchKernels.WindowGlobals128,
            };
        }

        [Benchmark]
        public void KernelGen() => _kernel(_query, _key, _value, _output);
    }
}
