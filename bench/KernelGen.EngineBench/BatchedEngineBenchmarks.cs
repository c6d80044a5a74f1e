using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using KernelGen.Bench;

namespace KernelGen.EngineBench
{
    /// <summary>
    /// The batched table's KernelGen calls (B = 4, H = 8, N = 1024, d = 64, causal, padded and not; GQA decode) and the
    /// run-time masks: keyMask dropping 40% of the keys at random per item, and a dense [Nq, Nk] mask that is
    /// block-diagonal over 4 documents of 256 tokens. Each masked call is compared with the unmasked tiled call times the
    /// share of allowed pairs the masks keep (printed by <see cref="KeptShares"/>).
    /// </summary>
    [MemoryDiagnoser]
    public class BatchedEngineBenchmarks
    {
        private const int Batch = 4, Heads = 8, Positions = 1024, D = 64;
        private static readonly int[] Lengths = { 1024, 700, 500, 234 };
        private static readonly int[] Full = { 1024, 1024, 1024, 1024 };

        private float[] _query = Array.Empty<float>(), _key = Array.Empty<float>(), _value = Array.Empty<float>(), _output = Array.Empty<float>();
        private float[] _decodeQuery = Array.Empty<float>(), _cache = Array.Empty<float>(), _decodeOutput = Array.Empty<float>();
        private bool[] _keyMask = Array.Empty<bool>(), _documents = Array.Empty<bool>();

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
            (_keyMask, _documents) = Masks(new Random(5));
        }

        /// <summary>keyMask [B, Nk] with 40% of each item's keys dropped at random; [Nq, Nk] block-diagonal over 4 documents.</summary>
        public static (bool[] KeyMask, bool[] Documents) Masks(Random random) =>
            (Enumerable.Range(0, Batch * Positions).Select(_ => random.NextDouble() >= 0.4).ToArray(),
             Enumerable.Range(0, Positions * Positions).Select(i => i / Positions / 256 == i % Positions / 256).ToArray());

        /// <summary>The share of the causal pairs each run-time mask keeps: (keyMask, documents).</summary>
        public static (double KeyMask, double Documents) KeptShares()
        {
            (bool[] keyMask, bool[] documents) = Masks(new Random(5));
            long causal = 0, keptByKeyMask = 0, keptByDocuments = 0;
            for (int b = 0; b < Batch; b++)
            {
                for (int i = 0; i < Positions; i++)
                {
                    for (int j = 0; j <= i; j++)
                    {
                        causal++;
                        keptByKeyMask += keyMask[b * Positions + j] ? 1 : 0;
                        keptByDocuments += documents[i * Positions + j] ? 1 : 0;
                    }
                }
            }

            return ((double)keptByKeyMask / causal, (double)keptByDocuments / causal);
        }

        [Benchmark]
        public void PaddedPrefill() => BenchKernels.BatchedCausal64(_query, _key, _value, _output, Batch, Lengths, Lengths);

        [Benchmark]
        public void UnpaddedPrefill() => BenchKernels.BatchedCausal64(_query, _key, _value, _output, Batch, Full, Full);

        [Benchmark]
        public void KeyMaskPrefill() => EngineKernels.BatchedCausalKeyMask64(_query, _key, _value, _output, Batch, _keyMask);

        [Benchmark]
        public void DocumentMaskPrefill() => EngineKernels.BatchedCausalMask64(_query, _key, _value, _output, Batch, _documents);

        /// <summary>
        /// The document mask's work without a mask: the same 4 x 8 heads cut into 16 items of 256 causal tokens ([16, 8,
        /// 256, 64] over the same buffers), the floor a block-diagonal mask can approach.
        /// </summary>
        [Benchmark]
        public void DocumentsAsBatch() => BenchKernels.BatchedCausal64(_query, _key, _value, _output, Batch * 4, Documents, Documents);

        private static readonly int[] Documents = Enumerable.Repeat(256, Batch * 4).ToArray();

        [Benchmark]
        public void GqaDecode() => BenchKernels.GqaDecode128(_decodeQuery, _cache, _cache, _decodeOutput, 1);
    }
}
