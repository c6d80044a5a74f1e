using System;

namespace KernelGen.FirstCall
{
    /// <summary>One measured call: a name and an action over inputs made once, before any timing.</summary>
    public sealed record Shape(string Name, Func<Action> Prepare)
    {
        public static readonly Shape[] All =
        {
            new("causal d=128 N=512 f32", () =>
            {
                const int n = 512;
                float[] query = Fill(n * 128, 1), key = Fill(n * 128, 2), value = Fill(n * 128, 3), output = new float[n * 128];
                return () => Kernels.Causal128(query, key, value, output);
            }),
            new("GQA 32/8 decode 512 keys f32", () =>
            {
                const int keys = 512;
                float[] query = Fill(32 * 128, 1), key = Fill(8 * keys * 128, 2), value = Fill(8 * keys * 128, 3), output = new float[32 * 128];
                return () => Kernels.GqaDecode128(query, key, value, output, 1);
            }),
            new("causal d=128 N=512 f16 K/V", () =>
            {
                const int n = 512;
                float[] query = Fill(n * 128, 1), output = new float[n * 128];
                Half[] key = Array.ConvertAll(Fill(n * 128, 2), static x => (Half)x), value = Array.ConvertAll(Fill(n * 128, 3), static x => (Half)x);
                return () => Kernels.CausalHalf128(query, key, value, output);
            }),
            new("window(256,0) after causal", () =>
            {
                // The causal kernel's call 1 runs before timing starts: what is timed is a second kernel's first call.
                const int n = 512;
                float[] query = Fill(n * 128, 1), key = Fill(n * 128, 2), value = Fill(n * 128, 3), output = new float[n * 128];
                Kernels.Causal128(query, key, value, output);
                return () => Kernels.CausalWindow128(query, key, value, output);
            }),
        };

        /// <summary>Uniform in [-1, 1), seeded.</summary>
        private static float[] Fill(int length, int seed)
        {
            var random = new Random(seed);
            float[] data = new float[length];
            for (int i = 0; i < length; i++)
            {
                data[i] = (float)(random.NextDouble() * 2 - 1);
            }

            return data;
        }
    }
}
