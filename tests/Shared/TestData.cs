using System;

namespace KernelGen.Tests
{
    /// <summary>Seeded random inputs and element-type conversions for the tests (the accuracy criterion is Kernels.Tests' Accuracy).</summary>
    public static class TestData
    {
        /// <summary>The values rounded to a kernel element type (float, Half or BFloat16), as the runtime rounds them.</summary>
        public static T[] Narrow<T>(float[] values)
            where T : unmanaged
        {
            T[] narrow = new T[values.Length];
            Engine.ElementTypes.Narrow<T>(values, narrow);
            return narrow;
        }

        /// <summary>The values of a kernel element type widened exactly to float, as the runtime widens them.</summary>
        public static float[] Widen<T>(T[] values)
            where T : unmanaged
        {
            float[] wide = new float[values.Length];
            Engine.ElementTypes.Widen<T>(values, wide);
            return wide;
        }

        public static float[] Uniform(int seed, int length, float bound = 1f)
        {
            var random = new Random(seed);
            float[] data = new float[length];
            for (int i = 0; i < length; i++)
            {
                data[i] = (float)((random.NextDouble() * 2 - 1) * bound);
            }

            return data;
        }

        /// <summary>An output buffer pre-filled with NaN, so an element the kernel forgets to write fails the comparison.</summary>
        public static float[] Poisoned(int length)
        {
            float[] data = new float[length];
            data.AsSpan().Fill(float.NaN);
            return data;
        }

        public static double MaxAbsError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
        {
            double max = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                double error = Math.Abs(actual[i] - expected[i]);
                if (double.IsNaN(error))
                {
                    return double.PositiveInfinity;
                }

                max = Math.Max(max, error);
            }

            return max;
        }
    }
}
