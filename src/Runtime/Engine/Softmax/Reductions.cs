using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>
    /// Horizontal reductions over a span, dispatched once per call to the widest accelerated vector width.
    /// Elements are always visited from index 0, so the order of operations never depends on alignment.
    /// </summary>
    /// <remarks>
    /// Written once per vector width: .NET 10 has no public abstraction over Vector128/256/512 to write one generic body
    /// with (ISimdVector is internal; Vector&lt;T&gt; is one fixed width per process), so each width's body is kept and the
    /// widths are tested to agree bit for bit where the algorithm allows.
    /// </remarks>
    internal static class Reductions
    {
        /// <summary>The largest element (IEEE 754 maximum: NaN if any element is NaN); negative infinity for an empty span.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static float Max(ReadOnlySpan<float> values)
        {
            ref float start = ref MemoryMarshal.GetReference(values);
            int length = values.Length;
            int index = 0;
            float result = float.NegativeInfinity;

            if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
            {
                Vector512<float> best = Vector512.Create(float.NegativeInfinity);
                for (; index <= length - Vector512<float>.Count; index += Vector512<float>.Count)
                {
                    best = Vector512.Max(best, Vector512.LoadUnsafe(ref start, (nuint)index));
                }

                result = HorizontalMax(best);
            }
            else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
            {
                Vector256<float> best = Vector256.Create(float.NegativeInfinity);
                for (; index <= length - Vector256<float>.Count; index += Vector256<float>.Count)
                {
                    best = Vector256.Max(best, Vector256.LoadUnsafe(ref start, (nuint)index));
                }

                result = HorizontalMax(best);
            }
            else if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
            {
                Vector128<float> best = Vector128.Create(float.NegativeInfinity);
                for (; index <= length - Vector128<float>.Count; index += Vector128<float>.Count)
                {
                    best = Vector128.Max(best, Vector128.LoadUnsafe(ref start, (nuint)index));
                }

                result = HorizontalMax(best);
            }

            for (; index < length; index++)
            {
                result = MathF.Max(result, Unsafe.Add(ref start, index));
            }

            return result;
        }

        /// <summary>The sum of the elements; 0 for an empty span.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static float Sum(ReadOnlySpan<float> values)
        {
            ref float start = ref MemoryMarshal.GetReference(values);
            int length = values.Length;
            int index = 0;
            float result = 0f;

            if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
            {
                Vector512<float> total = Vector512<float>.Zero;
                for (; index <= length - Vector512<float>.Count; index += Vector512<float>.Count)
                {
                    total += Vector512.LoadUnsafe(ref start, (nuint)index);
                }

                result = Vector512.Sum(total);
            }
            else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
            {
                Vector256<float> total = Vector256<float>.Zero;
                for (; index <= length - Vector256<float>.Count; index += Vector256<float>.Count)
                {
                    total += Vector256.LoadUnsafe(ref start, (nuint)index);
                }

                result = Vector256.Sum(total);
            }
            else if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
            {
                Vector128<float> total = Vector128<float>.Zero;
                for (; index <= length - Vector128<float>.Count; index += Vector128<float>.Count)
                {
                    total += Vector128.LoadUnsafe(ref start, (nuint)index);
                }

                result = Vector128.Sum(total);
            }

            for (; index < length; index++)
            {
                result += Unsafe.Add(ref start, index);
            }

            return result;
        }

        /// <summary>Whether every element is finite (no NaN, no infinity); true for an empty span.</summary>
        /// <remarks>x - x is 0 for a finite x and NaN for NaN or an infinity, so one subtraction and compare per lane.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static bool AllFinite(ReadOnlySpan<float> values)
        {
            ref float start = ref MemoryMarshal.GetReference(values);
            int length = values.Length;
            int index = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; index <= length - Vector512<float>.Count; index += Vector512<float>.Count)
                {
                    Vector512<float> x = Vector512.LoadUnsafe(ref start, (nuint)index);
                    if (!Vector512.EqualsAll(x - x, Vector512<float>.Zero))
                    {
                        return false;
                    }
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; index <= length - Vector256<float>.Count; index += Vector256<float>.Count)
                {
                    Vector256<float> x = Vector256.LoadUnsafe(ref start, (nuint)index);
                    if (!Vector256.EqualsAll(x - x, Vector256<float>.Zero))
                    {
                        return false;
                    }
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                for (; index <= length - Vector128<float>.Count; index += Vector128<float>.Count)
                {
                    Vector128<float> x = Vector128.LoadUnsafe(ref start, (nuint)index);
                    if (!Vector128.EqualsAll(x - x, Vector128<float>.Zero))
                    {
                        return false;
                    }
                }
            }

            for (; index < length; index++)
            {
                if (!float.IsFinite(Unsafe.Add(ref start, index)))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The largest lane (NaN if any lane is NaN).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float HorizontalMax(Vector512<float> value) =>
            HorizontalMax(Vector256.Max(value.GetLower(), value.GetUpper()));

        /// <summary>The largest lane (NaN if any lane is NaN).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float HorizontalMax(Vector256<float> value) =>
            HorizontalMax(Vector128.Max(value.GetLower(), value.GetUpper()));

        /// <summary>The largest lane (NaN if any lane is NaN).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float HorizontalMax(Vector128<float> value)
        {
            // Fold the upper half onto the lower half twice: lanes {0,1} vs {2,3}, then lane 0 vs lane 1.
            value = Vector128.Max(value, Vector128.Shuffle(value, Vector128.Create(2, 3, 0, 1)));
            value = Vector128.Max(value, Vector128.Shuffle(value, Vector128.Create(1, 0, 3, 2)));
            return value.ToScalar();
        }

        /// <summary>The lane sums of four vectors, [sum a, sum b, sum c, sum d] (three horizontal adds with AVX).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
        {
            if (Avx.IsSupported)
            {
                Vector256<float> all = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
                return all.GetLower() + all.GetUpper();
            }

            return Vector128.Create(Vector256.Sum(a), Vector256.Sum(b), Vector256.Sum(c), Vector256.Sum(d));
        }
    }
}
