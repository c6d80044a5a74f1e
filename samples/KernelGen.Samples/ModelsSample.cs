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
            return ok;
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
