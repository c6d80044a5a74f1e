using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KernelGen.Engine;

namespace KernelGen
{
    /// <summary>
    /// Exact widening of 16-bit floating-point values (<see cref="Half"/>, f16, as llama.cpp caches keys and values, and
    /// <see cref="BFloat16"/>, bf16, as PyTorch does) to float32, per vector width for kernels' inner loops and per span
    /// for buffers; and the one rounding back (<see cref="Narrow(ReadOnlySpan{float}, Span{Half})"/>,
    /// <see cref="Narrow(ReadOnlySpan{float}, Span{BFloat16})"/>), to nearest with ties to even.
    /// </summary>
    /// <remarks>
    /// <para>Results. Every entry point gives bit for bit what <c>(float)half</c> gives, for all 65536 bit patterns
    /// (the tests check each one at every width): normals, subnormals (which become float normals), <c>+-0</c>,
    /// <c>+-inf</c>, and NaNs, which stay NaN with their sign and payload (the 10 payload bits move to the top of
    /// float's 23) and come out quiet: the quiet bit is set, as <c>(float)half</c> does. bf16 is the upper half of a
    /// float32, so its widening is a 16-bit shift and keeps everything, signaling NaNs included (as
    /// <see cref="BFloat16"/>'s conversion does). The narrowing entries equal <c>(Half)f</c> and
    /// <c>(BFloat16)f</c> for every float (see <see cref="BFloat16"/> for its NaN rule; <c>(Half)f</c> keeps the sign
    /// and the top 10 payload bits and sets the quiet bit).</para>
    /// <para>f16 derivation. .NET 10 exposes neither F16C's <c>vcvtph2ps</c> nor AVX512-FP16, so the widening is
    /// integer work plus one multiply. The halves are sign-extended to 32-bit lanes; the sign is bit 31 of that lane
    /// and the magnitude <c>m</c> its low 15 bits. <c>m &lt;&lt; 13</c> puts f16's 5 exponent and 10 mantissa bits
    /// under float's exponent and mantissa fields, so read as a float it is the half's value times <c>2^-112</c>
    /// (the two exponent biases differ by 127 - 15 = 112): for a normal half, exponent <c>e</c> becomes the float
    /// exponent <c>e - 127</c> instead of <c>e - 15</c>; for a subnormal half (<c>e = 0</c>) the float is subnormal too,
    /// <c>mantissa * 2^-149 = (mantissa * 2^-24) * 2^-112</c>. Multiplying by <c>2^112</c> restores the value, and
    /// exactly, because every product is a float normal (the least, <c>2^-24</c>, is far above <c>2^-126</c>) with at
    /// most 11 significant bits. Exponent 31 (inf and NaN) would become the finite <c>2^16 (1 + mantissa / 1024)</c>, so
    /// before the multiply those lanes (<c>m &gt; 0x7BFF</c>, one compare) get float's exponent field ORed to all ones:
    /// <c>m = 0x7C00</c> becomes <c>+inf</c> and stays so through the multiply; a NaN keeps its payload, and the
    /// multiply returns that NaN quieted, which is what makes the result match <c>(float)half</c>. The sign is ORed back
    /// last. (That a multiply quiets a signaling NaN operand and keeps its payload is IEEE 754's recommended
    /// behaviour, which x64's SSE/AVX and Arm64 with default-NaN mode off, as .NET runs it, both implement; the
    /// exhaustive tests are what establish it here.)</para>
    /// <para>Floating-point environment. The multiply has a subnormal operand exactly when the half is subnormal. .NET
    /// runs with denormals-are-zero off, and then the result is exact; a process that turned DAZ on (native code can)
    /// would widen subnormal halves to zero. On some CPUs (many Intel cores) a multiply with a subnormal operand can take a
    /// microcode assist of the order of a hundred cycles; a cache of subnormal halves (below 6.1e-5 in magnitude, not
    /// zero) would pay that, normal values never do.</para>
    /// <para>Cost, from the JIT's listings (.NET 10, x64 with AVX2, <c>DOTNET_TieredCompilation=0</c>). f16, per
    /// vector: the <see cref="Vector128{T}"/> entry is 9 instructions for 4 values (<c>vpmovsxwd</c> with the 8-byte
    /// load folded in, <c>vpand</c> for the magnitude, <c>vpslld</c>, <c>vpcmpgtd</c>, <c>vpand</c> and <c>vpor</c> for
    /// the inf/NaN exponent, <c>vmulps</c>, <c>vpand</c> and <c>vorps</c> for the sign); the <see cref="Vector256{T}"/>
    /// entry is the same 9 plus a separate <c>vmovdqu</c> (the JIT does not fold the 16-byte load into the
    /// <c>vpmovsxwd ymm</c>), 10 for 8 values. The 5 constants are memory operands in a lone call and are hoisted into
    /// registers when the entry is inlined into a loop (as in the span overloads). bf16: 2 instructions for 4 values
    /// (<c>vpmovzxwd</c> with the load folded, <c>vpslld</c>), 3 for 8. Without AVX-512 the JIT splits each
    /// <see cref="Vector512{T}"/> step into two 256-bit ones (the f16 entry becomes 21 instructions and 5 constant broadcasts);
    /// the results are the same. Narrowing, per 8 floats: 19 instructions for f16 (one a register copy; plus the load, and 4
    /// to pack to 16 bits), 8 for bf16 (plus the load, and 2 per 8 to pack).</para>
    /// <para>Measured against TensorPrimitives.ConvertToSingle / ConvertToHalf (exact too) and a plain float copy, in and
    /// past L2, with <c>bench/KernelGen.WideningBench</c>: bench/RESULTS.md, "16-bit caches (issue 14, first piece)".</para>
    /// <para>One entry point per width, as for <see cref="ExpOp"/>: .NET 10 has no public abstraction over
    /// Vector128/256/512 to write one generic body with.</para>
    /// </remarks>
    public static partial class Widening
    {
        private const int MagnitudeMask = 0x7FFF;
        private const int LargestFiniteMagnitude = 0x7BFF;     // f16 65504; above: exponent 31, inf or NaN
        private const int FloatExponentMask = 0x7F800000;
        private const int MantissaShift = 13;                  // float's 23 mantissa bits minus f16's 10
        private const float TwoPow112 = 5.192296858534828e33f; // 2^112 = 0x77800000: the difference of the exponent biases
        private const int FiniteSignAndMagnitude = unchecked((int)0x8FFFFFFF); // a finite f16's lane << 13: sign, then exponent and mantissa

        // Narrowing float -> f16: magnitudes a of float bits.
        private const int HalfSubnormalLimit = 0x38800000;     // 2^-14, f16's least normal; below it the result is subnormal or 0
        private const int HalfNormalRebias = 0x38000000;       // 112 << 23
        private const int HalfRoundingBias = 0x0FFF;           // half an f16 ulp (in float bits) minus one; the kept LSB breaks ties
        private const int HalfInfinityBits = 0x7C00;
        private const int HalfSubnormalMagicBits = 0x3F000000; // 0.5f: its ulp, 2^-24, is f16's subnormal step
        private const int FloatLargestFinite = 0x7F7FFFFF;
        private const int NaNToHalfRebias = 0x38000;           // (float inf bits >> 13) - f16 inf bits

        private const uint BFloat16RoundingBias = 0x7FFF;
        private const uint BFloat16QuietBit = 0x0040;

        /// <summary>Widens one f16 value exactly; the same bits as <c>(float)value</c>.</summary>
        /// <param name="value">The value.</param>
        /// <returns>The value as a float.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Widen(Half value)
        {
            int lane = BitConverter.HalfToInt16Bits(value); // sign-extended, like the vector lanes
            int magnitude = lane & MagnitudeMask;
            int shifted = magnitude << MantissaShift;
            if (magnitude > LargestFiniteMagnitude)
            {
                shifted |= FloatExponentMask;
            }

            float scaled = BitConverter.Int32BitsToSingle(shifted) * TwoPow112;
            return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(scaled) | (lane & int.MinValue));
        }

        /// <summary>Widens one bf16 value exactly: its bits shifted left by 16.</summary>
        /// <param name="value">The value.</param>
        /// <returns>The value as a float.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Widen(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.Bits << 16);

        /// <summary>Loads 4 f16 values from <paramref name="source"/> onwards and widens them exactly.</summary>
        /// <param name="source">The first value; the next 3 are read too.</param>
        /// <returns>The 4 values as floats, bit-identical to <see cref="Widen(Half)"/> of each.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<float> LoadWidened128(ref Half source)
        {
            Vector128<short> raw = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<Half, byte>(ref source))).AsInt16();
            Vector128<int> lanes = Vector128.WidenLower(raw);
            Vector128<int> magnitude = lanes & Vector128.Create(MagnitudeMask);
            Vector128<int> shifted = magnitude << MantissaShift;
            shifted |= Vector128.GreaterThan(magnitude, Vector128.Create(LargestFiniteMagnitude)) & Vector128.Create(FloatExponentMask);
            Vector128<float> scaled = shifted.AsSingle() * Vector128.Create(TwoPow112);
            return scaled | (lanes & Vector128.Create(int.MinValue)).AsSingle();
        }

        /// <summary>Loads 8 f16 values from <paramref name="source"/> onwards and widens them exactly.</summary>
        /// <param name="source">The first value; the next 7 are read too.</param>
        /// <returns>The 8 values as floats, bit-identical to <see cref="Widen(Half)"/> of each.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> LoadWidened256(ref Half source)
        {
            Vector128<short> raw = Vector128.LoadUnsafe(ref Unsafe.As<Half, short>(ref source));
            Vector256<int> lanes = Vector256.WidenLower(raw.ToVector256Unsafe());
            Vector256<int> magnitude = lanes & Vector256.Create(MagnitudeMask);
            Vector256<int> shifted = magnitude << MantissaShift;
            shifted |= Vector256.GreaterThan(magnitude, Vector256.Create(LargestFiniteMagnitude)) & Vector256.Create(FloatExponentMask);
            Vector256<float> scaled = shifted.AsSingle() * Vector256.Create(TwoPow112);
            return scaled | (lanes & Vector256.Create(int.MinValue)).AsSingle();
        }

        /// <summary>Loads 16 f16 values from <paramref name="source"/> onwards and widens them exactly.</summary>
        /// <param name="source">The first value; the next 15 are read too.</param>
        /// <returns>The 16 values as floats, bit-identical to <see cref="Widen(Half)"/> of each.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<float> LoadWidened512(ref Half source)
        {
            Vector256<short> raw = Vector256.LoadUnsafe(ref Unsafe.As<Half, short>(ref source));
            Vector512<int> lanes = Vector512.WidenLower(raw.ToVector512Unsafe());
            Vector512<int> magnitude = lanes & Vector512.Create(MagnitudeMask);
            Vector512<int> shifted = magnitude << MantissaShift;
            shifted |= Vector512.GreaterThan(magnitude, Vector512.Create(LargestFiniteMagnitude)) & Vector512.Create(FloatExponentMask);
            Vector512<float> scaled = shifted.AsSingle() * Vector512.Create(TwoPow112);
            return scaled | (lanes & Vector512.Create(int.MinValue)).AsSingle();
        }

        /// <summary>Loads 4 bf16 values from <paramref name="source"/> onwards and widens them exactly.</summary>
        /// <param name="source">The first value; the next 3 are read too.</param>
        /// <returns>The 4 values as floats: each value's bits shifted left by 16.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<float> LoadWidened128(ref BFloat16 source)
        {
            Vector128<ushort> raw = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<BFloat16, byte>(ref source))).AsUInt16();
            return (Vector128.WidenLower(raw) << 16).AsSingle();
        }

        /// <summary>Loads 8 bf16 values from <paramref name="source"/> onwards and widens them exactly.</summary>
        /// <param name="source">The first value; the next 7 are read too.</param>
        /// <returns>The 8 values as floats: each value's bits shifted left by 16.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> LoadWidened256(ref BFloat16 source)
        {
            Vector128<ushort> raw = Vector128.LoadUnsafe(ref Unsafe.As<BFloat16, ushort>(ref source));
            return (Vector256.WidenLower(raw.ToVector256Unsafe()) << 16).AsSingle();
        }

        /// <summary>Loads 16 bf16 values from <paramref name="source"/> onwards and widens them exactly.</summary>
        /// <param name="source">The first value; the next 15 are read too.</param>
        /// <returns>The 16 values as floats: each value's bits shifted left by 16.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<float> LoadWidened512(ref BFloat16 source)
        {
            Vector256<ushort> raw = Vector256.LoadUnsafe(ref Unsafe.As<BFloat16, ushort>(ref source));
            return (Vector512.WidenLower(raw.ToVector512Unsafe()) << 16).AsSingle();
        }

        /// <summary>
        /// Widens every f16 value of <paramref name="source"/> into <paramref name="destination"/>, exactly (the same bits
        /// as <c>(float)value</c>), with the widest accelerated vector width, then narrower ones and scalars for the tail.
        /// </summary>
        /// <param name="source">The values.</param>
        /// <param name="destination">Receives the floats in its first <c>source.Length</c> elements; the rest is untouched.</param>
        /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="source"/>.</exception>
        public static void Widen(ReadOnlySpan<Half> source, Span<float> destination)
        {
            CheckDestination(source.Length, destination.Length, nameof(destination));

            // Runs of FiniteRun values with no infinity or NaN (a cache almost always) take the 4-operation widening.
            const int FiniteRun = 1024;
            ref Half from = ref MemoryMarshal.GetReference(source);
            ref float to = ref MemoryMarshal.GetReference(destination);
            for (int start = 0; start < source.Length; start += FiniteRun)
            {
                int length = Math.Min(FiniteRun, source.Length - start);
                if (AllFinite(source.Slice(start, length)))
                {
                    WidenAll(ref Unsafe.As<Half, FiniteHalf>(ref Unsafe.Add(ref from, start)), ref Unsafe.Add(ref to, start), (nuint)length);
                }
                else
                {
                    WidenAll(ref Unsafe.Add(ref from, start), ref Unsafe.Add(ref to, start), (nuint)length);
                }
            }
        }

        /// <summary>
        /// 4 f16 values known to be finite, widened exactly in 4 operations (sign-extend, shift, and, multiply): the lanes
        /// shifted left by 13 hold the sign in bit 31, three copies of it in bits 30..28 (cleared by the and), f16's exponent
        /// and mantissa under float's, so they read as the value times 2^-112 with its sign; the multiply restores it
        /// exactly (see the class remarks). An infinity or NaN would come out finite: callers check first.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<float> LoadWidened128(ref FiniteHalf source)
        {
            Vector128<short> raw = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<FiniteHalf, byte>(ref source))).AsInt16();
            Vector128<int> bits = (Vector128.WidenLower(raw) << MantissaShift) & Vector128.Create(FiniteSignAndMagnitude);
            return bits.AsSingle() * Vector128.Create(TwoPow112);
        }

        /// <summary>8 f16 values known to be finite, widened exactly in 4 operations (see the 4-value overload).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> LoadWidened256(ref FiniteHalf source)
        {
            Vector128<short> raw = Vector128.LoadUnsafe(ref Unsafe.As<FiniteHalf, short>(ref source));
            Vector256<int> bits = (Vector256.WidenLower(raw.ToVector256Unsafe()) << MantissaShift) & Vector256.Create(FiniteSignAndMagnitude);
            return bits.AsSingle() * Vector256.Create(TwoPow112);
        }

        /// <summary>16 f16 values known to be finite, widened exactly in 4 operations (see the 4-value overload).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<float> LoadWidened512(ref FiniteHalf source)
        {
            Vector256<short> raw = Vector256.LoadUnsafe(ref Unsafe.As<FiniteHalf, short>(ref source));
            Vector512<int> bits = (Vector512.WidenLower(raw.ToVector512Unsafe()) << MantissaShift) & Vector512.Create(FiniteSignAndMagnitude);
            return bits.AsSingle() * Vector512.Create(TwoPow112);
        }

        /// <summary>One f16 value known to be finite, widened exactly (see the 4-value overload).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Widen(FiniteHalf value)
        {
            int lane = Unsafe.As<FiniteHalf, short>(ref value);
            return BitConverter.Int32BitsToSingle((lane << MantissaShift) & FiniteSignAndMagnitude) * TwoPow112;
        }

        /// <summary>
        /// Widens every bf16 value of <paramref name="source"/> into <paramref name="destination"/>, exactly (bits shifted
        /// left by 16), with the widest accelerated vector width, then narrower ones and scalars for the tail.
        /// </summary>
        /// <param name="source">The values.</param>
        /// <param name="destination">Receives the floats in its first <c>source.Length</c> elements; the rest is untouched.</param>
        /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="source"/>.</exception>
        public static void Widen(ReadOnlySpan<BFloat16> source, Span<float> destination)
        {
            CheckDestination(source.Length, destination.Length, nameof(destination));
            WidenAll(ref MemoryMarshal.GetReference(source), ref MemoryMarshal.GetReference(destination), (nuint)source.Length);
        }

        /// <summary>
        /// The span widenings' loop, for float, f16, finite f16 or bf16 (a JIT-time type test picks the loads; also the strided-row loop of ElementTypes.WidenRows): the widest accelerated width,
        /// then narrower ones and scalars for the tail.
        /// </summary>
        /// <remarks>Fully optimised on first use, as <see cref="AllFinite(ReadOnlySpan{Half})"/> is, for the same reason.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void WidenAll<T>(ref T from, ref float to, nuint length)
            where T : unmanaged
        {
            nuint index = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; index + (nuint)Vector512<float>.Count <= length; index += (nuint)Vector512<float>.Count)
                {
                    LoadWidened512(ref Unsafe.Add(ref from, index)).StoreUnsafe(ref to, index);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; index + (nuint)Vector256<float>.Count <= length; index += (nuint)Vector256<float>.Count)
                {
                    LoadWidened256(ref Unsafe.Add(ref from, index)).StoreUnsafe(ref to, index);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                for (; index + (nuint)Vector128<float>.Count <= length; index += (nuint)Vector128<float>.Count)
                {
                    LoadWidened128(ref Unsafe.Add(ref from, index)).StoreUnsafe(ref to, index);
                }
            }

            for (; index < length; index++)
            {
                Unsafe.Add(ref to, index) = Widen(Unsafe.Add(ref from, index));
            }
        }

        /// <summary>4 float, f16 or bf16 values (a JIT-time type test picks the load), widened exactly (floats as they are).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<float> LoadWidened128<T>(ref T source)
            where T : unmanaged =>
            typeof(T) == typeof(float) ? Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref source))
            : typeof(T) == typeof(FiniteHalf) ? LoadWidened128(ref Unsafe.As<T, FiniteHalf>(ref source))
            : typeof(T) == typeof(Half) ? LoadWidened128(ref Unsafe.As<T, Half>(ref source)) : LoadWidened128(ref Unsafe.As<T, BFloat16>(ref source));

        /// <summary>8 float, f16 or bf16 values (a JIT-time type test picks the load), widened exactly (floats as they are).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> LoadWidened256<T>(ref T source)
            where T : unmanaged =>
            typeof(T) == typeof(float) ? Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref source))
            : typeof(T) == typeof(FiniteHalf) ? LoadWidened256(ref Unsafe.As<T, FiniteHalf>(ref source))
            : typeof(T) == typeof(Half) ? LoadWidened256(ref Unsafe.As<T, Half>(ref source)) : LoadWidened256(ref Unsafe.As<T, BFloat16>(ref source));

        /// <summary>16 float, f16 or bf16 values (a JIT-time type test picks the load), widened exactly (floats as they are).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<float> LoadWidened512<T>(ref T source)
            where T : unmanaged =>
            typeof(T) == typeof(float) ? Vector512.LoadUnsafe(ref Unsafe.As<T, float>(ref source))
            : typeof(T) == typeof(FiniteHalf) ? LoadWidened512(ref Unsafe.As<T, FiniteHalf>(ref source))
            : typeof(T) == typeof(Half) ? LoadWidened512(ref Unsafe.As<T, Half>(ref source)) : LoadWidened512(ref Unsafe.As<T, BFloat16>(ref source));

        /// <summary>One float, f16 or bf16 value, widened exactly (a float as it is).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Widen<T>(T value)
            where T : unmanaged =>
            typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref value)
            : typeof(T) == typeof(FiniteHalf) ? Widen(Unsafe.As<T, FiniteHalf>(ref value))
            : typeof(T) == typeof(Half) ? Widen(Unsafe.As<T, Half>(ref value)) : Widen(Unsafe.As<T, BFloat16>(ref value));
    }
}
