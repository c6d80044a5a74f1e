using System;
using BenchmarkDotNet.Attributes;

namespace KernelGen.Bench
{
    /// <summary>
    /// The generated kernels and TorchSharp SDPA on 1 and 2 threads (d = 128, torch.set_num_threads to match), and how the
    /// windowed masks scale with N.
    /// </summary>
    [MemoryDiagnoser]
    public class ThreadScalingBenchmarks
    {
        private float[] _query = Array.Empty<float>();
        private float[] _output = Array.Empty<float>();
        private AttentionBenchmarks.Kernel _kernel = BenchKernels.Full128;
        private TorchPeer? _torch;

        [Params("full", "causal", "causal+window(256,0)", "window(256,256)+globals")]
        public string Mask { get; set; } = "full";

        [Params(2048, 4096, 8192)]
        public int N { get; set; }

        [Params(1, 2)]
        public int Threads { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            AttentionThreading.MaxDegreeOfParallelism = Threads;
            _query = new float[N * 128];
            var random = new Random(3);
            for (int i = 0; i < _query.Length; i++)
            {
                _query[i] = (float)(random.NextDouble() * 2 - 1);
            }

            _output = new float[_query.Length];
            (_kernel, AttentionSpec spec) = AttentionBenchmarks.Select(Mask, 128);
            _torch = new TorchPeer(spec, _query, _query, _query, Threads);
        }

        [GlobalCleanup]
        public void Cleanup() => _torch?.Dispose();

        [Benchmark(Baseline = true)]
        public void KernelGen() => _kernel(_query, _query, _query, _output);

        [Benchmark]
        public void TorchSharpSdpa() => _torch!.Run();
    }
}
