using System;

namespace KernelGen.Timing
{
    /// <summary>Input data and element conversions for the harness (set-up and checking only, never inside timing).</summary>
    internal static class Values
    {
        /// <summary>Uniform in [-1, 1), seeded, so runs are comparable.</summary>
        public static float[] Random(int length, int seed)
        {
            var random = new Random(seed);
            float[] data = new float[length];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = random.NextSingle() * 2 - 1;
            }

            return data;
        }

        public static T[] Convert<T>(float[] values)
        {
            T[] converted = new T[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                converted[i] = typeof(T) == typeof(float) ? (T)(object)values[i]
                    : typeof(T) == typeof(Half) ? (T)(object)(Half)values[i]
                    : (T)(object)(BFloat16)values[i];
            }

            return converted;
        }

        /// <summary>Exact: every Half and BFloat16 value is a float.</summary>
        public static float[] Widen<T>(T[] values)
        {
            float[] widened = new float[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                widened[i] = values[i] switch
                {
                    float f => f,
                    Half h => (float)h,
                    BFloat16 b => (float)b,
                    _ => throw new NotSupportedException(typeof(T).Name),
                };
            }

            return widened;
        }

        /// <summary>
        /// The max error accepted against the reference for outputs of magnitude up to 1: float32 arithmetic leaves about
        /// 1e-7, so 1e-5 is generous; a 16-bit output adds its final rounding, half an ulp at 1 (2^-11 for f16, 2^-8 for
        /// bf16), doubled for margin.
        /// </summary>
        public static double Tolerance<T>() =>
            typeof(T) == typeof(Half) ? 1e-3 : typeof(T) == typeof(BFloat16) ? 8e-3 : 1e-5;
    }
}
