using System;
using System.Diagnostics;

namespace KernelGen.Samples
{
    /// <summary>The signature of every single-head kernel, so samples can pass kernels around.</summary>
    public delegate void Kernel(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

    /// <summary>Random inputs, the reference check and timing shared by the samples.</summary>
    internal static class SampleData
    {
        public static float[] Uniform(Random random, int length)
        {
            float[] data = new float[length];
            for (int i = 0; i < length; i++)
            {
                data[i] = (float)(random.NextDouble() * 2 - 1);
            }

            return data;
        }

        /// <summary>Max abs difference between <paramref name="output"/> and the reference for the same inputs.</summary>
        public static double MaxError(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, ReadOnlySpan<float> output)
        {
            double[] expected = new double[output.Length];
            ReferenceAttention.Compute(spec, query, key, value, expected);
            double max = 0;
            for (int i = 0; i < output.Length; i++)
            {
                max = Math.Max(max, Math.Abs(output[i] - expected[i]));
            }

            return max;
        }

        /// <summary>
        /// Milliseconds per call: calls for 250 ms first (the JIT replaces its first, unoptimised code with tiered,
        /// optimised code only after a few dozen calls), then repeated calls for at least <paramref name="budgetMs"/>.
        /// </summary>
        public static double MillisecondsPerCall(Action call, int budgetMs = 300)
        {
            var warmUp = Stopwatch.StartNew();
            do
            {
                call();
            }
            while (warmUp.ElapsedMilliseconds < 250);

            int calls = 0;
            var clock = Stopwatch.StartNew();
            do
            {
                call();
                calls++;
            }
            while (clock.ElapsedMilliseconds < budgetMs);
            return clock.Elapsed.TotalMilliseconds / calls;
        }
    }
}
