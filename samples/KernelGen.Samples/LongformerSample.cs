using System;
using System.Linq;

namespace KernelGen.Samples
{
    /// <summary>
    /// A Longformer-style question-answering pass over a 4096-token input: [CLS] + a 15-token question + the document.
    /// The classification and question tokens are global; every other token sees 16 neighbours on each side.
    /// </summary>
    internal static class LongformerSample
    {
        public const int Tokens = 4096;

        /// <summary>[CLS] at 0 and the question at 1..15, as declared on <see cref="ModelKernels.LongformerEncoder"/>.</summary>
        public static readonly int[] GlobalPositions = Enumerable.Range(0, 16).ToArray();

        public static bool Run()
        {
            const int d = 64;
            Console.WriteLine();
            Console.WriteLine($"== Longformer encoder: {Tokens} tokens, window 16 either side, {GlobalPositions.Length} global tokens ([CLS] + question)");
            var spec = new AttentionSpec(d, window: new AttentionWindow(16, 16), globalPositions: GlobalPositions);
            var random = new Random(7);
            float[] query = SampleData.Uniform(random, Tokens * d);
            float[] key = SampleData.Uniform(random, Tokens * d);
            float[] value = SampleData.Uniform(random, Tokens * d);
            float[] output = new float[Tokens * d];

            double ms = SampleData.MillisecondsPerCall(() => ModelKernels.LongformerEncoder(query, key, value, output));
            double error = SampleData.MaxError(spec, query, key, value, output);
            long pairs = 0;
            for (int i = 0; i < Tokens; i++)
            {
                for (int j = 0; j < Tokens; j++)
                {
                    pairs += spec.IsAllowed(i, j, Tokens, Tokens) ? 1 : 0;
                }
            }

            double share = 100.0 * pairs / ((double)Tokens * Tokens);
            Console.WriteLine($"score pairs computed: {pairs} of {(long)Tokens * Tokens} ({share:F2}%); global rows see all {Tokens} keys");
            Console.WriteLine($"time per call: {ms:F3} ms ({4.0 * d * pairs / (ms * 1e6):F1} effective GFLOP/s); max abs error vs reference: {error:E2}");
            return error <= 1e-4;
        }
    }
}
