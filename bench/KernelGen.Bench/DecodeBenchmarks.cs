using System;
using BenchmarkDotNet.Attributes;
using KernelGen.EngineBench;

namespace KernelGen.Bench
{
    /// <summary>
    /// One decode step: a single query (Nq = 1) against a cache of Nk keys, d = 128, causal. KernelGen on 1 and 2 threads
    /// (rows of 2048+ keys are split into 1024-key chunks) and TorchSharp SDPA with torch.set_num_threads(Threads); the
    /// other peers are single-threaded whatever Threads says.
    /// </summary>
    [MemoryDiagnoser]
    public class DecodeBenchmarks
    {
        private readonly AttentionSpec _spec = new(128, causal: true);
        private float[] _query = Array.Empty<float>();
        private float[] _cache = Array.Empty<float>();
        private float[] _values = Array.Empty<float>();
        private float[] _output = Array.Empty<float>();
        private Peers _peers = new(1, 1);
        private TorchPeer? _torch;

        [Params(1024, 4096, 16384)]
        public int Nk { get; set; }

        [Params(1, 2)]
        public int Threads { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            AttentionThreading.MaxDegreeOfParallelism = Threads;
            var random = new Random(9);
            _query = Data.Fill(random, 128);
            _cache = Data.Fill(random, Nk * 128);
            _values = Data.Fill(random, Nk * 128);
            _output = new float[128];
            _peers = new Peers(Nk, 128);
            _torch = new TorchPeer(_spec, _query, _cache, _values, Threads);
        }

        [GlobalCleanup]
        public void Cleanup() => _torch?.Dispose();

        [Benchmark]
        public void TorchSharpSdpa() => _torch!.Run();

        [Benchmark(Baseline = true)]
        public void KernelGen() => BenchKernels.Causal128(_query, _cache, _values, _output);

        [Benchmark]
        public void TensorPrimitivesUnfused() => _peers.TensorPrimitivesUnfused(_spec, _query, _cache, _values, _output);

        [Benchmark]
        public void NaiveScalar() => _peers.Naive(_spec, _query, _cache, _values, _output);
    }
}
