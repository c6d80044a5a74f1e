using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KernelGen
{
    // The vector paths: one block per call, the same bytes as the scalar rule. Each returns false, having written
    // nothing, for a block the scalar rule must take (a NaN or an infinity among its values, or an infinite 1 / d), so
    // the C conversions that are undefined there are never reached in vectors.
    public static partial class Q8_0
    {
        /// <summary>The bits of float.MaxValue: magnitudes' bits above this are an infinity or a NaN.</summary>
        private const int LargestFiniteBits = 0x7F7FFFFF;

        private static bool TryQuantize512(ref float values, ref BlockQ8_0 block)
        {
            Vector512<float> v0 = Vector512.LoadUnsafe(ref values), v1 = Vector512.LoadUnsafe(ref values, 16);

            // Magnitudes' bits (sign cleared) order as integers as the floats do, NaNs above infinity above all finite
            // values, so an integer maximum is the exact amax and shows a non-finite value at once.
            Vector512<int> largest = Vector512.Max(Vector512.Abs(v0).AsInt32(), Vector512.Abs(v1).AsInt32());
            Vector256<int> half = Vector256.Max(largest.GetLower(), largest.GetUpper());
            if (!Finite(Vector128.Max(half.GetLower(), half.GetUpper()), out float amax))
            {
                return false;
            }

            Scales(amax, out float d, out float id);
            if (float.IsInfinity(id))
            {
                return false;
            }

            Vector512<float> reciprocal = Vector512.Create(id);
            Vector512<short> words = Vector512.Narrow(Round(v0 * reciprocal), Round(v1 * reciprocal));
            block.scale = ToHalf(d);
            Vector512.Narrow(words, Vector512<short>.Zero).GetLower().StoreUnsafe(ref block.values[0]);
            return true;
        }

        private static bool TryQuantize256(ref float values, ref BlockQ8_0 block)
        {
            Vector256<float> v0 = Vector256.LoadUnsafe(ref values), v1 = Vector256.LoadUnsafe(ref values, 8);
            Vector256<float> v2 = Vector256.LoadUnsafe(ref values, 16), v3 = Vector256.LoadUnsafe(ref values, 24);
            Vector256<int> largest = Vector256.Max(
                Vector256.Max(Vector256.Abs(v0).AsInt32(), Vector256.Abs(v1).AsInt32()),
                Vector256.Max(Vector256.Abs(v2).AsInt32(), Vector256.Abs(v3).AsInt32()));
            if (!Finite(Vector128.Max(largest.GetLower(), largest.GetUpper()), out float amax))
            {
                return false;
            }

            Scales(amax, out float d, out float id);
            if (float.IsInfinity(id))
            {
                return false;
            }

            Vector256<float> reciprocal = Vector256.Create(id);
            Vector256<short> low = Vector256.Narrow(Round(v0 * reciprocal), Round(v1 * reciprocal));
            Vector256<short> high = Vector256.Narrow(Round(v2 * reciprocal), Round(v3 * reciprocal));
            block.scale = ToHalf(d);
            Vector256.Narrow(low, high).StoreUnsafe(ref block.values[0]);
            return true;
        }

        private static bool TryQuantize128(ref float values, ref BlockQ8_0 block)
        {
            Vector128<int> largest = Vector128<int>.Zero;
            for (int j = 0; j < BlockQ8_0.ValueCount; j += 4)
            {
                largest = Vector128.Max(largest, Vector128.Abs(Vector128.LoadUnsafe(ref values, (nuint)j)).AsInt32());
            }

            if (!Finite(largest, out float amax))
            {
                return false;
            }

            Scales(amax, out float d, out float id);
            if (float.IsInfinity(id))
            {
                return false;
            }

            Vector128<float> reciprocal = Vector128.Create(id);
            block.scale = ToHalf(d);
            for (int j = 0; j < BlockQ8_0.ValueCount; j += 16)
            {
                Vector128<short> low = Vector128.Narrow(
                    Round(Vector128.LoadUnsafe(ref values, (nuint)j) * reciprocal), Round(Vector128.LoadUnsafe(ref values, (nuint)j + 4) * reciprocal));
                Vector128<short> high = Vector128.Narrow(
                    Round(Vector128.LoadUnsafe(ref values, (nuint)j + 8) * reciprocal), Round(Vector128.LoadUnsafe(ref values, (nuint)j + 12) * reciprocal));
                Vector128.Narrow(low, high).StoreUnsafe(ref block.values[j]);
            }

            return true;
        }

        /// <summary>The largest of four magnitudes' bits as a float, false if it is an infinity or a NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Finite(Vector128<int> magnitudes, out float amax)
        {
            int bits = Math.Max(Math.Max(magnitudes.GetElement(0), magnitudes.GetElement(1)), Math.Max(magnitudes.GetElement(2), magnitudes.GetElement(3)));
            amax = BitConverter.Int32BitsToSingle(bits);
            return bits <= LargestFiniteBits;
        }

        // roundf: the truncation t, then one more away from zero when the fraction x - t (exact in float) is at least a
        // half. Every x here is finite with |x| below 128, so t + 1 is exact and the int32 conversion in range.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<int> Round(Vector512<float> x)
        {
            Vector512<float> whole = Vector512.Truncate(x);
            Vector512<float> step = Vector512.Create(1f) | (x & Vector512.Create(-0f));
            Vector512<float> up = Vector512.GreaterThanOrEqual(Vector512.Abs(x - whole), Vector512.Create(0.5f));
            return Vector512.ConvertToInt32(whole + (up & step));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<int> Round(Vector256<float> x)
        {
            Vector256<float> whole = Vector256.Truncate(x);
            Vector256<float> step = Vector256.Create(1f) | (x & Vector256.Create(-0f));
            Vector256<float> up = Vector256.GreaterThanOrEqual(Vector256.Abs(x - whole), Vector256.Create(0.5f));
            return Vector256.ConvertToInt32(whole + (up & step));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<int> Round(Vector128<float> x)
        {
            Vector128<float> whole = Vector128.Truncate(x);
            Vector128<float> step = Vector128.Create(1f) | (x & Vector128.Create(-0f));
            Vector128<float> up = Vector128.GreaterThanOrEqual(Vector128.Abs(x - whole), Vector128.Create(0.5f));
            return Vector128.ConvertToInt32(whole + (up & step));
        }
    }
}
