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
        public static bool Run() => PaddedEncoder() & StreamingGeneration() & LlamaDecodeStep();

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
                        // [B, H_kv, capacity, d]: item b, head h, the next free position.
                        SampleData.Uniform(random, d).CopyTo(keyCache.AsSpan(((b * keyValueHeads + h) * capacity + lengths[b]) * d, d));
                        SampleData.Uniform(random, d).CopyTo(valueCache.AsSpan(((b * keyValueHeads + h) * capacity + lengths[b]) * d, d));
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

        /// <summary>
        /// One decode step of Llama-style grouped-query attention (32 query heads over 8 key/value heads of 128, [B, N, H, d])
        /// over caches of 4096 and 3000 tokens, with the cache in float32, f16 and bf16: time per step, and the step against
        /// the reference on the widened cache.
        /// </summary>
        private static bool LlamaDecodeStep()
        {
            const int batch = 2, heads = 32, keyValueHeads = 8, d = 128, capacity = 4096;
            int[] lengths = { 4096, 3000 };
            Console.WriteLine();
            Console.WriteLine($"== Llama-style decode step: B = {batch}, GQA {heads}/{keyValueHeads} heads of {d}, [B, N, H, d] cache of {capacity} (lengths {lengths[0]}, {lengths[1]}), causal");
            var random = new Random(23);
            float[] query = SampleData.Uniform(random, batch * heads * d);
            float[] key = SampleData.Uniform(random, batch * capacity * keyValueHeads * d);
            float[] value = SampleData.Uniform(random, key.Length);
            float[] output = new float[query.Length];
            Half[] halfKey = Array.ConvertAll(key, static x => (Half)x), halfValue = Array.ConvertAll(value, static x => (Half)x);
            BFloat16[] bf16Key = Array.ConvertAll(key, static x => (BFloat16)x), bf16Value = Array.ConvertAll(value, static x => (BFloat16)x);
            var spec = new AttentionSpec(d, causal: true);
            bool ok = true;
            double floatStep = 0;
            foreach ((string name, Action step, float[] wideKey, float[] wideValue) in new (string, Action, float[], float[])[]
            {
                ("float32", () => ModelKernels.LlamaDecoder(query, key, value, output, batch, lengths), key, value),
                ("f16", () => ModelKernels.LlamaDecoderHalf(query, halfKey, halfValue, output, batch, lengths),
                    Array.ConvertAll(halfKey, static x => (float)x), Array.ConvertAll(halfValue, static x => (float)x)),
                ("bf16", () => ModelKernels.LlamaDecoderBFloat16(query, bf16Key, bf16Value, output, batch, lengths),
                    Array.ConvertAll(bf16Key, static x => (float)x), Array.ConvertAll(bf16Value, static x => (float)x)),
            })
            {
                double milliseconds = SampleData.MillisecondsPerCall(step);
                floatStep = floatStep == 0 ? milliseconds : floatStep;
                double[] expected = new double[output.Length];
                ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, heads, keyValueHeads, batch, query, wideKey, wideValue, expected, lengths);
                double error = MaxError(output, expected);
                ok &= error <= 1e-4;
                double megabytes = 2.0 * (lengths[0] + lengths[1]) * keyValueHeads * d * (name == "float32" ? 4 : 2) / 1e6;
                Console.WriteLine($"{name,-8} cache: {milliseconds * 1000,8:F0} us per step ({floatStep / milliseconds:F2}x float32; {megabytes / milliseconds:F2} GB/s of K + V), max abs error {error:E2}");
            }

            return ok;
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
