using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen.Engine
{
    /// <summary>
    /// The element types a kernel's spans may have (float, <see cref="Half"/>, <see cref="BFloat16"/>) and the exact
    /// conversions between them and float32, picked by JIT-time type tests.
    /// </summary>
    internal static class ElementTypes
    {
        /// <summary>Widens <paramref name="source"/> exactly into the first source.Length floats of <paramref name="destination"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Widen<T>(ReadOnlySpan<T> source, Span<float> destination)
            where T : unmanaged
        {
            if (typeof(T) == typeof(Half))
            {
                Widening.Widen(MemoryMarshal.Cast<T, Half>(source), destination);
            }
            else if (typeof(T) == typeof(BFloat16))
            {
                Widening.Widen(MemoryMarshal.Cast<T, BFloat16>(source), destination);
            }
            else if (typeof(T) == typeof(float))
            {
                MemoryMarshal.Cast<T, float>(source).CopyTo(destination);
            }
            else
            {
                throw new NotSupportedException($"{typeof(T)} is not an element type of a KernelGen kernel; use float, System.Half or KernelGen.BFloat16.");
            }
        }

        /// <summary>Rounds <paramref name="source"/> to nearest even into <paramref name="destination"/> (of the same length).</summary>
        public static void Narrow<T>(ReadOnlySpan<float> source, Span<T> destination)
            where T : unmanaged
        {
            if (typeof(T) == typeof(Half))
            {
                Widening.Narrow(source, MemoryMarshal.Cast<T, Half>(destination));
            }
            else if (typeof(T) == typeof(BFloat16))
            {
                Widening.Narrow(source, MemoryMarshal.Cast<T, BFloat16>(destination));
            }
            else if (typeof(T) == typeof(float))
            {
                source.CopyTo(MemoryMarshal.Cast<T, float>(destination));
            }
            else
            {
                throw new NotSupportedException($"{typeof(T)} is not an element type of a KernelGen kernel; use float, System.Half or KernelGen.BFloat16.");
            }
        }

        /// <summary>
        /// Widens <paramref name="rows"/> rows of <paramref name="d"/> elements, <paramref name="stride"/> apart from
        /// <paramref name="offset"/> in <paramref name="source"/>, into contiguous rows of <paramref name="destination"/>.
        /// </summary>
        public static void WidenRows<T>(ReadOnlySpan<T> source, int offset, int stride, int rows, int d, Span<float> destination)
            where T : unmanaged
        {
            if (rows <= 0)
            {
                return;
            }

            if (stride == d)
            {
                Widen(source.Slice(offset, Length(rows, d, d)), destination);
                return;
            }

            // Strided rows ([B, N, H, d] blocks): bounds checked once (in 64 bits), then an inline vector loop per row (a
            // copy call or a finiteness scan per row cost as much as the copy itself); f16 rows checked once for the fast widening.
            _ = source.Slice(offset, Length(rows, stride, d));
            _ = destination.Slice(0, Length(rows, d, d));
            ref T from = ref Unsafe.Add(ref MemoryMarshal.GetReference(source), offset);
            ref float to = ref MemoryMarshal.GetReference(destination);
            if (typeof(T) == typeof(Half) && FiniteHalfRows(source, offset, stride, rows, d))
            {
                WidenRowsInline(ref Unsafe.As<T, FiniteHalf>(ref from), stride, rows, d, ref to);
            }
            else
            {
                WidenRowsInline(ref from, stride, rows, d, ref to);
            }
        }

        /// <summary>
        /// The elements <paramref name="rows"/> rows of <paramref name="d"/>, <paramref name="stride"/> apart, span:
        /// (rows - 1) x stride + d, computed in 64 bits; more than a span can hold throws rather than wrapping around.
        /// </summary>
        public static int Length(int rows, int stride, int d)
        {
            long length = (long)(rows - 1) * stride + d;
            if (rows < 1 || stride < 0 || d < 0 || length > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows of {d} elements, {stride} apart, are not a span's extent.");
            }

            return (int)length;
        }

        /// <summary>The strided rows' loop (lengths already checked): each row through Widening's vector loop.</summary>
        private static void WidenRowsInline<T>(ref T from, int stride, int rows, int d, ref float to)
            where T : unmanaged
        {
            for (int row = 0; row < rows; row++)
            {
                Widening.WidenAll(ref Unsafe.Add(ref from, (nint)row * stride), ref Unsafe.Add(ref to, row * d), (nuint)d);
            }
        }

        /// <summary>
        /// Rounds contiguous rows of <paramref name="d"/> floats into <paramref name="rows"/> rows <paramref name="stride"/>
        /// apart from <paramref name="offset"/> in <paramref name="destination"/> (a copy for float).
        /// </summary>
        public static void NarrowRows<T>(ReadOnlySpan<float> source, Span<T> destination, int offset, int stride, int rows, int d)
            where T : unmanaged
        {
            if (rows <= 0)
            {
                return;
            }

            if (stride == d)
            {
                int length = Length(rows, d, d);
                Narrow(source.Slice(0, length), destination.Slice(offset, length));
                return;
            }

            _ = destination.Slice(offset, Length(rows, stride, d)); // every row inside, checked once in 64 bits
            for (int row = 0; row < rows; row++)
            {
                Narrow(source.Slice(row * d, d), destination.Slice(offset + row * stride, d));
            }
        }

        /// <summary>
        /// Whether f16 rows (<paramref name="rows"/> of <paramref name="d"/> values, <paramref name="stride"/> apart from
        /// <paramref name="offset"/>) hold no infinity or NaN, so the 4-operation widening of <see cref="FiniteHalf"/>
        /// reads them exactly; false for any other element type.
        /// </summary>
        public static bool FiniteHalfRows<T>(ReadOnlySpan<T> source, int offset, int stride, int rows, int d)
            where T : unmanaged
        {
            if (typeof(T) != typeof(Half))
            {
                return false;
            }

            ReadOnlySpan<Half> halves = MemoryMarshal.Cast<T, Half>(source);
            if (rows <= 0)
            {
                return true;
            }

            if (stride == d)
            {
                return Widening.AllFinite(halves.Slice(offset, Length(rows, d, d)));
            }

            return Widening.AllFiniteRows(halves, offset, stride, rows, d);
        }
    }
}
