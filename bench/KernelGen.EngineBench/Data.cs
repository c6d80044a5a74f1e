using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.EngineBench
{
    /// <summary>Random inputs in [-1, 1), and the helpers of the interleaved tables.</summary>
    public static class Data
    {
        /// <summary>Milliseconds per call of <paramref name="action"/>, over <paramref name="repeat"/> calls.</summary>
        public static double Time(Action action, int repeat)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < repeat; i++)
            {
                action();
            }

            return watch.Elapsed.TotalMilliseconds / repeat;
        }

        /// <summary>The median (the upper one of an even count); sorts <paramref name="values"/>.</summary>
        public static double Median(List<double> values)
        {
            values.Sort();
            return values[values.Count / 2];
        }

        /// <summary>Sums bytes as floats, 4 x Vector256 per step: a plain read of every byte (only the reads matter).</summary>
        public static float SumBytes(ReadOnlySpan<byte> bytes)
        {
            ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(bytes);
            ref float start = ref MemoryMarshal.GetReference(values);
            Vector256<float> a = default, b = default, c = default, d = default;
            for (int i = 0; i <= values.Length - 32; i += 32)
            {
                a += Vector256.LoadUnsafe(ref start, (nuint)i);
                b += Vector256.LoadUnsafe(ref start, (nuint)(i + 8));
                c += Vector256.LoadUnsafe(ref start, (nuint)(i + 16));
                d += Vector256.LoadUnsafe(ref start, (nuint)(i + 24));
            }

            return Vector256.Sum(a + b + c + d);
        }

        public static float[] Fill(Random random, int length)
        {
            float[] data = new float[length];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)(random.NextDouble() * 2 - 1);
            }

            return data;
        }
    }
}
