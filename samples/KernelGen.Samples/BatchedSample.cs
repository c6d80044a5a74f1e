using System;
using System.Diagnostics;
using System.Linq;

namespace KernelGen.Samples
{
    /// <summary>
    /// Batched multi-head kernels as a model calls them: a padded encoder batch of uneven sequences, and a generation loop
    /// over a growing key/value cache with grouped-query heads, attention sinks and a sliding window.
    /// </summary>
    internal static class BatchedSample
    {
        public static bool Run() => PaddedEncoder() & StreamingGeneration();

        /// <summary>Four sequences of 128, 77, 5 and 100 tokens padded to 128, 12 heads (BERT-base).</summary>
        private static bool PaddedEncoder()
        {
            const int batch = 4, positions = 128, heads = 12, d = 64;
            int[] lengths = { 128, 77, 5, 100 };
            Console.WriteLine();
            Console.WriteLine($"== Padded encoder batch: B = {batch}, N = {positions}, {heads} heads of {d}, lengths {string.Join(", ", lengths)} ({100 - 100 * lengths.Sum() / (batch * positions)}% padding)");
            var random = new Random(21);
            float[] query = SampleData.Uniform(random, batch * positions * heads * d);
            float[] key = SampleData.Uniform(random, query.Length);
            float[] value = SampleData.Uniform(random, query.Length);
            float[] output = new float[query.Length];
            int[] full = Enumerable.Repeat(positions, batch).ToArray();

            double padded = SampleData.MillisecondsPerCall(() => ModelKernels.BertEncoder(query, key, value, output, batch, lengths, lengths));
            double unpadded = SampleData.MillisecondsPerCall(() => ModelKernels.BertEncoder(query, key, value, output, batch, full, full));
            ModelKernels.BertEncoder(query, key, value, output, batch, lengths, lengths);
            double[] expected = new double[output.Length];
            ReferenceAttention.ComputeBatched(new AttentionSpec(d), AttentionLayout.BatchSeqHeadDim, heads, heads, batch, query, key, value, expected, lengths, lengths);
            double error = MaxError(output, expected);
            double realShare = lengths.Sum(static l => (double)l * l) / (batch * (double)positions * positions);
            Console.WriteLine($"with lengths: {padded:F3} ms; every sequence at 128: {unpadded:F3} ms; ratio {padded / unpadded:F2} " +
                $"(real score pairs are {realShare:F2} of the padded ones); max abs error {error:E2}");
            return error <= 1e-4;
        }

        /// <summary>Two sequences generating token by token; the cache keeps growing, the kernel reads sinks + the last 256.</summary>
        private static bool StreamingGeneration()
        {
            const int batch = 2, heads = 8, keyValueHeads = 2, d = 64, capacity = 2048, steps = 48;
            int[] lengths = { 1000, 1700 };
            Console.WriteLine();
            Console.WriteLine($"== Streaming generation: B = {batch}, GQA {heads}/{keyValueHeads} heads of {d}, causal window 256 + 4 sinks, cache capacity {capacity},");
            Console.WriteLine("   one cached token per sequence evicted each step (dropped with keyMask)");
            bool[] keep = new bool[batch * capacity];
            Array.Fill(keep, true);
            int evicted = 0;
            var spec = new AttentionSpec(d, causal: true, window: new AttentionWindow(256, 0), globalPositions: new[] { 0, 1, 2, 3 });
            var random = new Random(22);
            float[] keyCache = SampleData.Uniform(random, batch * keyValueHeads * capacity * d);
            float[] valueCache = SampleData.Uniform(random, keyCache.Length);
            float[] query = new float[batch * heads * d];
            float[] output = new float[query.Length];
            var shape = new BatchedShape(AttentionLayout.BatchHeadSeqDim, d, heads, keyValueHeads, batch, 1, capacity);
            // Warm the JIT up first (its optimised code replaces the first, unoptimised one after a few dozen calls).
            var warmUp = System.Diagnostics.Stopwatch.StartNew();
            while (warmUp.ElapsedMilliseconds < 250)
            {
                ModelKernels.StreamingDecoder(query, keyCache, valueCache, output, batch, lengths, keep);
            }

            Console.WriteLine($"{"step",6} {"lengths",12} {"us per step",12} {"max abs error",14}");
            double worst = 0, total = 0;
            for (int step = 0; step < steps; step++)
            {
                // Append one token's key and value per sequence and head, then attend with its query.
                for (int b = 0; b < batch; b++)
                {
                    for (int h = 0; h < keyValueHeads; h++)
                    {
                        SampleData.Uniform(random, d).CopyTo(keyCache.AsSpan(shape.RowOffset(b, h, lengths[b], keyValueHeads, capacity), d));
                        SampleData.Uniform(random, d).CopyTo(valueCache.AsSpan(shape.RowOffset(b, h, lengths[b], keyValueHeads, capacity), d));
                    }

                    lengths[b]++;
                }

                // Evict one token per sequence from inside its window (never a sink): it stays in the cache but is dropped.
                for (int b = 0; b < batch; b++)
                {
                    keep[b * capacity + lengths[b] - 1 - random.Next(1, 200)] = false;
                    evicted++;
                }

                SampleData.Uniform(random, query.Length).CopyTo(query, 0);
                double best = double.MaxValue;
                for (int repeat = 0; repeat < 5; repeat++)
                {
                    long start = Stopwatch.GetTimestamp();
                    ModelKernels.StreamingDecoder(query, keyCache, valueCache, output, batch, lengths, keep);
                    best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }

                total += best;
                double[] expected = new double[output.Length];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchHeadSeqDim, heads, keyValueHeads, batch, query, keyCache, valueCache, expected, lengths, keyMask: keep);
                double error = MaxError(output, expected);
                worst = Math.Max(worst, error);
                if (step % 8 == 0 || step == steps - 1)
                {
                    Console.WriteLine($"{step,6} {lengths[0] + "/" + lengths[1],12} {best,12:F1} {error,14:E2}");
                }
            }

            Console.WriteLine($"decode: {total / steps:F1} us per step for {batch} sequences x {heads} heads on average (each reads at most 261 of its cached keys); " +
                $"{evicted} tokens evicted; worst error {worst:E2}");
            return worst <= 1e-4;
        }

        private static double MaxError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
        {
            double max = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
            }

            return max;
        }
    }
}
