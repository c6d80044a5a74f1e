using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen.Engine
{
    /// <summary>
    /// The element types a kernel's spans may have (float, <see cref="Half"/>, <see cref="BFloat16"/>) and the exact
    /// conversions between them and float32, picked by JIT-time type tests.
    /// </summary>
    internal static class Storage
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
    }
}
