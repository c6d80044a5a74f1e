using System;

namespace KernelGen.Samples
{
    /// <summary>Each model family's kernel on random data: max error against the reference and time per call.</summary>
    internal static class ModelsSample
    {
        public static bool Run()
        {
            Console.WriteLine();
            Console.WriteLine("== Model specs: generated kernels against the reference");
            Console.WriteLine($"{"kernel",-36} {"Nq",6} {"Nk",6} {"max abs error",14} {"ms per call",12}");
            bool ok = true;
            ok &= Check("Longformer encoder (w16 + globals)", ModelKernels.LongformerEncoder, new AttentionSpec(64, window: new AttentionWindow(16, 16), globalPositions: LongformerSample.GlobalPositions), 1024, 1024);
            ok &= Check("Causal decoder, prefill", ModelKernels.CausalDecoder, new AttentionSpec(128, causal: true), 1024, 1024);
            ok &= Check("Causal decoder, decode step", ModelKernels.CausalDecoder, new AttentionSpec(128, causal: true), 1, 4096);
            ok &= Check("Mistral decoder (w4096), decode", ModelKernels.MistralDecoder, new AttentionSpec(128, causal: true, window: new AttentionWindow(4096, 0)), 1, 8192);
            ok &= Gemma2Local(out string gemmaNote);
            ok &= GptOssPrefill();
            ok &= GptOssDecode();
            ok &= BloomPrefill();
            Console.WriteLine(gemmaNote);
            return ok;
        }

        // The batched checks below. Each row's Nq and Nk are the padded counts. The double reference is single-threaded
        // scalar code: for every item and head it tests the mask on each (query, key) pair of the valid lengths and spends 2d
        // multiply-adds (dot product and value row) on each visible pair, O(B H Nq Nk d) in all. The sizes below keep it near
        // a second or less per check (the figures are given per check), and each kernel is also timed for about 0.55 s.

        /// <summary>
        /// Gemma 2 2B local layer, prefill of two prompts of 300 and 517 tokens padded to 517 (the window of 4096 hides no key
        /// at this length; the padding rows and keys of the shorter prompt are skipped). Queries and keys are uniform in
        /// [-4, 4] instead of [-1, 1], so the scaled scores reach the tens and the cap of 50 bends them (reported in the note);
        /// with [-1, 1] they stay near 1 and the softcap would change them by about 1e-4, too little to test it.
        /// Reference: 8 heads x (300 x 301 + 517 x 518) / 2 visible pairs = 1.4 M pairs x 512 = 0.7 G multiply-adds.
        /// </summary>
        private static bool Gemma2Local(out string note)
        {
            const int batch = 2, positions = 517, heads = 8, keyValueHeads = 4, d = 256;
            int[] lengths = { 300, 517 };
            var spec = new AttentionSpec(d, causal: true, window: new AttentionWindow(4095, 0), softcap: 50f);
            var random = new Random(131);
            float[] query = Uniform(random, batch * positions * heads * d, 4f);
            float[] key = Uniform(random, batch * positions * keyValueHeads * d, 4f);
            float[] value = SampleData.Uniform(random, key.Length);
            float[] output = new float[query.Length];
            bool ok = Report($"Gemma 2 2B local, prefill B={batch}", positions, positions, output,
                () => ModelKernels.Gemma2LocalLayer(query, key, value, output, batch, lengths, lengths),
                expected => ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, heads, keyValueHeads, batch, query, key, value, expected, lengths, lengths));
            note = SoftcapNote(spec, heads, keyValueHeads, positions, lengths, query, key);
            return ok;
        }

        /// <summary>
        /// gpt-oss sliding layer, prefill of two 300-token prompts (rows past 127 lose their oldest keys to the 128-token
        /// window), random sinks in [-2, 2]. With keyLengths alone the queries are the last Nq positions of each cache, so a
        /// padded prefill has prompts of one length; shorter ones would be continuations of a cached prefix.
        /// Reference: 2 x 64 heads x (300 x 128 - 127 x 128 / 2) visible pairs = 3.9 M pairs x 128 = 0.5 G multiply-adds.
        /// </summary>
        private static bool GptOssPrefill()
        {
            const int batch = 2, positions = 300, heads = 64, keyValueHeads = 8, d = 64;
            int[] keyLengths = { positions, positions };
            var random = new Random(132);
            float[] sinks = Uniform(random, heads, 2f);
            float[] query = SampleData.Uniform(random, batch * positions * heads * d);
            float[] key = SampleData.Uniform(random, batch * positions * keyValueHeads * d);
            float[] value = SampleData.Uniform(random, key.Length);
            float[] output = new float[query.Length];
            return Report($"gpt-oss sliding + sinks, prefill B={batch}", positions, positions, output,
                () => ModelKernels.GptOssSlidingLayer(query, key, value, output, batch, keyLengths, sinks),
                expected => ReferenceAttention.ComputeBatched(GptOssSpec, AttentionLayout.BatchSeqHeadDim, heads, keyValueHeads, batch, query, key, value, expected,
                    keyLengths, sinks: sinks));
        }

        /// <summary>
        /// gpt-oss sliding layer, one decode step for two sequences whose caches (capacity 2048) hold 2000 and 1234 tokens: each
        /// query scores only its last 128 keys, plus the sink. In this [B, N, H, d] layout the batched driver still gathers every
        /// filled cache row of each key/value head first, so the call costs time in proportion to the cache, not the window.
        /// Reference: 64 heads x (2000 + 1234) mask tests and 64 heads x 2 x 128 visible pairs, negligible.
        /// </summary>
        private static bool GptOssDecode()
        {
            const int batch = 2, capacity = 2048, heads = 64, keyValueHeads = 8, d = 64;
            int[] keyLengths = { 2000, 1234 };
            var random = new Random(133);
            float[] sinks = Uniform(random, heads, 2f);
            float[] query = SampleData.Uniform(random, batch * heads * d);
            float[] key = SampleData.Uniform(random, batch * capacity * keyValueHeads * d);
            float[] value = SampleData.Uniform(random, key.Length);
            float[] output = new float[query.Length];
            return Report($"gpt-oss sliding + sinks, decode B={batch}", 1, capacity, output,
                () => ModelKernels.GptOssSlidingLayer(query, key, value, output, batch, keyLengths, sinks),
                expected => ReferenceAttention.ComputeBatched(GptOssSpec, AttentionLayout.BatchSeqHeadDim, heads, keyValueHeads, batch, query, key, value, expected,
                    keyLengths, sinks: sinks));
        }

        /// <summary>
        /// BLOOM-560m layer, prefill of two prompts of 400 and 257 tokens padded to 400, standard ALiBi slopes.
        /// Reference: 16 heads x (400 x 401 + 257 x 258) / 2 visible pairs = 1.8 M pairs x 128 = 0.2 G multiply-adds.
        /// </summary>
        private static bool BloomPrefill()
        {
            const int batch = 2, positions = 400, heads = 16, d = 64;
            int[] lengths = { 400, 257 };
            var spec = new AttentionSpec(d, causal: true, alibi: true);
            var random = new Random(134);
            float[] query = SampleData.Uniform(random, batch * positions * heads * d);
            float[] key = SampleData.Uniform(random, query.Length);
            float[] value = SampleData.Uniform(random, query.Length);
            float[] output = new float[query.Length];
            return Report($"BLOOM-560m ALiBi, prefill B={batch}", positions, positions, output,
                () => ModelKernels.BloomLayer(query, key, value, output, batch, lengths, lengths),
                expected => ReferenceAttention.ComputeBatched(spec, AttentionLayout.BatchSeqHeadDim, heads, heads, batch, query, key, value, expected, lengths, lengths));
        }

        private static readonly AttentionSpec GptOssSpec = new(64, causal: true, window: new AttentionWindow(127, 0));

        /// <summary>Times <paramref name="kernel"/>, then compares its <paramref name="output"/> with the reference and prints the row.</summary>
        private static bool Report(string name, int queryCount, int keyCount, float[] output, Action kernel, Action<double[]> reference)
        {
            double ms = SampleData.MillisecondsPerCall(kernel);
            Array.Fill(output, float.NaN); // a row the kernel leaves unwritten makes the error NaN (Math.Max keeps NaN), which fails
            kernel();
            double[] expected = new double[output.Length];
            reference(expected);
            double error = 0;
            for (int i = 0; i < output.Length; i++)
            {
                error = Math.Max(error, Math.Abs(output[i] - expected[i]));
            }

            Console.WriteLine($"{name,-36} {queryCount,6} {keyCount,6} {error,14:E2} {ms,12:F3}");
            return error <= 1e-4;
        }

        /// <summary>SampleData's uniform numbers stretched from [-1, 1] to [-bound, bound].</summary>
        private static float[] Uniform(Random random, int length, float bound)
        {
            float[] data = SampleData.Uniform(random, length);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] *= bound;
            }

            return data;
        }

        /// <summary>
        /// How much the softcap bends the Gemma check's scores: the largest scaled score of a visible pair and what the cap
        /// makes of it, and how many visible pairs it moves by more than 0.01 (in double, [B, N, H, d] layout).
        /// </summary>
        private static string SoftcapNote(AttentionSpec spec, int heads, int keyValueHeads, int positions, int[] lengths, float[] query, float[] key)
        {
            int d = spec.HeadDimension;
            double cap = spec.Softcap, largest = 0;
            long pairs = 0, bent = 0;
            for (int b = 0; b < lengths.Length; b++)
            {
                for (int h = 0; h < heads; h++)
                {
                    int kh = h / (heads / keyValueHeads);
                    for (int i = 0; i < lengths[b]; i++)
                    {
                        ReadOnlySpan<float> q = query.AsSpan(((b * positions + i) * heads + h) * d, d);
                        for (int j = 0; j < lengths[b]; j++)
                        {
                            if (!spec.IsAllowed(i, j, lengths[b], lengths[b]))
                            {
                                continue;
                            }

                            ReadOnlySpan<float> k = key.AsSpan(((b * positions + j) * keyValueHeads + kh) * d, d);
                            double dot = 0;
                            for (int c = 0; c < d; c++)
                            {
                                dot += (double)q[c] * k[c];
                            }

                            double score = spec.Scale * dot;
                            pairs++;
                            bent += Math.Abs(score - cap * Math.Tanh(score / cap)) > 0.01 ? 1 : 0;
                            largest = Math.Max(largest, Math.Abs(score));
                        }
                    }
                }
            }

            return $"Gemma 2 check: queries and keys uniform in [-4, 4] so the softcap of {cap} bends scores: the largest scaled score, {largest:F1}, " +
                $"is capped to {cap * Math.Tanh(largest / cap):F1}; {100.0 * bent / pairs:F1}% of the {pairs} visible pairs move by more than 0.01.";
        }

        private static bool Check(string name, Kernel kernel, AttentionSpec spec, int queryCount, int keyCount)
        {
            var random = new Random(42);
            int d = spec.HeadDimension;
            float[] query = SampleData.Uniform(random, queryCount * d);
            float[] key = SampleData.Uniform(random, keyCount * d);
            float[] value = SampleData.Uniform(random, keyCount * d);
            float[] output = new float[queryCount * d];
            double ms = SampleData.MillisecondsPerCall(() => kernel(query, key, value, output));
            double error = SampleData.MaxError(spec, query, key, value, output);
            Console.WriteLine($"{name,-36} {queryCount,6} {keyCount,6} {error,14:E2} {ms,12:F3}");
            return error <= 1e-4;
        }
    }
}
