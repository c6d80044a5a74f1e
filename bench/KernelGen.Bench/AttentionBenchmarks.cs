using System;
using BenchmarkDotNet.Attributes;
using KernelGen.EngineBench;

namespace KernelGen.Bench
{
    /// <summary>Single-head float32 attention, [N, d] row-major, one thread: generated kernels against the peers.</summary>
    /// <remarks>KernelGen and TorchSharp are pinned to one thread here (AttentionThreading.MaxDegreeOfParallelism = 1,
    /// torch.set_num_threads(1)); see ThreadScalingBenchmarks.</remarks>
    [MemoryDiagnoser]
    public class AttentionBenchmarks
    {
        private float[] _query = Array.Empty<float>();
        private float[] _key = Array.Empty<float>();
        private float[] _value = Array.Empty<float>();
        private float[] _output = Array.Empty<float>();
        private AttentionSpec _spec = new(1);
        private Peers _peers = new(1, 1);
        private Kernel _kernel = BenchKernels.Full64;
        private TorchPeer? _torch;

        public delegate void Kernel(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        [Params("full", "causal", "causal+window(256,0)", "window(256,256)+globals")]
        public string Mask { get; set; } = "full";

        [Params(64, 128)]
        public int HeadDim { get; set; }

        [Params(512, 1024, 2048, 4096, 8192)]
        public int N { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            Prepare();
        }

        /// <summary>Inputs, buffers and the kernel for the current parameters.</summary>
        public void Prepare()
        {
            var random = new Random(1);
            _query = Data.Fill(random, N * HeadDim);
            _key = Data.Fill(random, N * HeadDim);
            _value = Data.Fill(random, N * HeadDim);
            _output = new float[N * HeadDim];
            _peers = new Peers(N, HeadDim);
            (_kernel, _spec) = Select(Mask, HeadDim);
            _torch?.Dispose();
            _torch = new TorchPeer(_spec, _query, _key, _value, threads: 1);
        }

        [GlobalCleanup]
        public void Cleanup() => _torch?.Dispose();

        /// <summary>The generated kernel and its run-time spec for a mask name and head dimension.</summary>
        public static (Kernel Kernel, AttentionSpec Spec) Select(string mask, int headDim) => (mask, headDim) switch
        {
            ("full", 64) => (BenchKernels.Full64, new AttentionSpec(64)),
            ("full", 128) => (BenchKernels.Full128, new AttentionSpec(128)),
            ("causal", 64) => (BenchKernels.Causal64, new AttentionSpec(64, causal: true)),
            ("causal", 128) => (BenchKernels.Causal128, new AttentionSpec(128, causal: true)),
            ("causal+window(256,0)", 64) => (BenchKernels.CausalWindow64, new AttentionSpec(64, causal: true, window: new AttentionWindow(256, 0))),
            ("causal+window(256,0)", 128) => (BenchKernels.CausalWindow128, new AttentionSpec(128, causal: true, window: new AttentionWindow(256, 0))),
            ("window(256,256)+globals", 64) => (BenchKernels.WindowGlobals64, new AttentionSpec(64, window: new AttentionWindow(256, 256), globalPositions: new[] { 0, 1, 2, 3 })),
            ("window(256,256)+globals", 128) => (BenchKernels.WindowGlobals128, new AttentionSpec(128, window: new AttentionWindow(256, 256), globalPositions: new[] { 0, 1, 2, 3 })),
            _ => throw new ArgumentException($"unknown mask {mask} / d {headDim}"),
        };

        [Benchmark(Baseline = true)]
        public void KernelGen() => _kernel(_query, _key, _value, _output);

        [Benchmark]
        public void TensorPrimitivesUnfused() => _peers.TensorPrimitivesUnfused(_spec, _query, _key, _value, _output);

        [Benchmark]
        public void TorchSharpSdpa() => _torch!.Run();

        /// <summary>TorchSharp SDPA with its result copied into the output buffer (for the check only).</summary>
        public void TorchSharpSdpaToOutput() => _torch!.Run(_output);

        [Benchmark]
        public void NaiveScalar() => _peers.Naive(_spec, _query, _key, _value, _output);

        /// <summary>The last output against the double-precision reference.</summary>
        public double MaxErrorAgainstReference()
        {
            double[] expected = new double[_output.Length];
            ReferenceAttention.Compute(_spec, _query, _key, _value, expected);
            double max = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                max = Math.Max(max, Math.Abs(_output[i] - expected[i]));
            }

            return max;
        }
    }
}
