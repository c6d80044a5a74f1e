using System;

namespace KernelGen.Samples
{
    /// <summary>
    /// A causal decoder's attention over one head: prefill of a 512-token prompt, then token-by-token decode with a
    /// key/value cache that grows by one row per step. Each step's single query sits at the end of the cache
    /// (bottom-right alignment), so it sees the whole cache.
    /// </summary>
    internal static class DecoderSample
    {
        private const int HeadDimension = 128;
        private const int PromptTokens = 512;
        private const int DecodeSteps = 64;

        public static bool Run()
        {
            const int d = HeadDimension;
            Console.WriteLine();
            Console.WriteLine($"== Causal decoder: prefill {PromptTokens} tokens, then {DecodeSteps} decode steps over a growing cache (d = {d})");
            var spec = new AttentionSpec(d, causal: true);
            var random = new Random(11);
            int capacity = PromptTokens + DecodeSteps;
            float[] keyCache = new float[capacity * d];
            float[] valueCache = new float[capacity * d];

            // Prefill: the prompt's queries attend causally over the prompt's keys.
            float[] promptQuery = SampleData.Uniform(random, PromptTokens * d);
            SampleData.Uniform(random, PromptTokens * d).CopyTo(keyCache, 0);
            SampleData.Uniform(random, PromptTokens * d).CopyTo(valueCache, 0);
            float[] promptOutput = new float[PromptTokens * d];
            ReadOnlySpan<float> promptKeys = keyCache.AsSpan(0, PromptTokens * d);
            double prefillMs = SampleData.MillisecondsPerCall(() => ModelKernels.CausalDecoder(promptQuery, keyCache.AsSpan(0, PromptTokens * d), valueCache.AsSpan(0, PromptTokens * d), promptOutput));
            double worst = SampleData.MaxError(spec, promptQuery, promptKeys, valueCache.AsSpan(0, PromptTokens * d), promptOutput);
            Console.WriteLine($"prefill: {prefillMs:F3} ms for {PromptTokens} x {PromptTokens}, max abs error {worst:E2}");

            // Decode: append the new token's key and value, then attend with its query over the whole cache.
            Console.WriteLine($"{"step",6} {"cache",6} {"us per step",12} {"max abs error",14}");
            float[] query = new float[d];
            float[] output = new float[d];
            double totalMicroseconds = 0;
            for (int step = 0; step < DecodeSteps; step++)
            {
                int length = PromptTokens + step + 1;
                SampleData.Uniform(random, d).CopyTo(keyCache, (length - 1) * d);
                SampleData.Uniform(random, d).CopyTo(valueCache, (length - 1) * d);
                SampleData.Uniform(random, d).CopyTo(query, 0);

                // Best of a few repeats: one decode step takes microseconds, so a single timing is noise.
                double best = double.MaxValue;
                for (int repeat = 0; repeat < 5; repeat++)
                {
                    long start = System.Diagnostics.Stopwatch.GetTimestamp();
                    ModelKernels.CausalDecoder(query, keyCache.AsSpan(0, length * d), valueCache.AsSpan(0, length * d), output);
                    best = Math.Min(best, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }

                totalMicroseconds += best;
                double error = SampleData.MaxError(spec, query, keyCache.AsSpan(0, length * d), valueCache.AsSpan(0, length * d), output);
                worst = Math.Max(worst, error);
                if (step % 8 == 0 || step == DecodeSteps - 1)
                {
                    Console.WriteLine($"{step,6} {length,6} {best,12:F1} {error,14:E2}");
                }
            }

            Console.WriteLine($"decode: {totalMicroseconds / DecodeSteps:F1} us per step on average; worst error over prefill and decode {worst:E2}");

            // The same steps over 16-bit caches: half the bytes per step. Each is checked against the reference on the
            // widened cache (the kernel widens exactly, so that is what it must compute).
            int last = capacity * d;
            Half[] halfKeys = Array.ConvertAll(keyCache, static x => (Half)x), halfValues = Array.ConvertAll(valueCache, static x => (Half)x);
            BFloat16[] bf16Keys = Array.ConvertAll(keyCache, static x => (BFloat16)x), bf16Values = Array.ConvertAll(valueCache, static x => (BFloat16)x);
            float[] halfWideKeys = Array.ConvertAll(halfKeys, static x => (float)x), halfWideValues = Array.ConvertAll(halfValues, static x => (float)x);
            float[] bf16WideKeys = Array.ConvertAll(bf16Keys, static x => (float)x), bf16WideValues = Array.ConvertAll(bf16Values, static x => (float)x);
            double floatStep = SampleData.MillisecondsPerCall(() => ModelKernels.CausalDecoder(query, keyCache.AsSpan(0, last), valueCache.AsSpan(0, last), output)) * 1000;
            double halfStep = SampleData.MillisecondsPerCall(() => ModelKernels.CausalDecoderHalf(query, halfKeys.AsSpan(0, last), halfValues.AsSpan(0, last), output)) * 1000;
            double halfError = SampleData.MaxError(spec, query, halfWideKeys, halfWideValues, output);
            double bf16Step = SampleData.MillisecondsPerCall(() => ModelKernels.CausalDecoderBFloat16(query, bf16Keys.AsSpan(0, last), bf16Values.AsSpan(0, last), output)) * 1000;
            double bf16Error = SampleData.MaxError(spec, query, bf16WideKeys, bf16WideValues, output);
            Console.WriteLine($"16-bit caches, one step over all {capacity} cached tokens: float32 {floatStep:F1} us, f16 {halfStep:F1} us ({floatStep / halfStep:F2}x), " +
                $"bf16 {bf16Step:F1} us ({floatStep / bf16Step:F2}x); max abs error f16 {halfError:E2}, bf16 {bf16Error:E2}");
            return worst <= 1e-4 && halfError <= 1e-4 && bf16Error <= 1e-4;
        }
    }
}
