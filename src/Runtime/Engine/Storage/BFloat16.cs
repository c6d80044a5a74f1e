using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen
{
    /// <summary>
    /// A bfloat16 value ("brain floating point"): the upper 16 bits of an IEEE 754 float32, that is 1 sign bit, the same
    /// 8 exponent bits and 7 of float32's 23 mantissa bits. This is the storage type of PyTorch's bf16 key/value caches;
    /// .NET 10 has no such type (.NET 11's <c>System.Numerics.BFloat16</c> has the same two-byte layout, so arrays of
    /// either can be reinterpreted as the other).
    /// </summary>
    /// <remarks>
    /// <para>Conversions. Widening to <see cref="float"/> is exact: the bits shifted left by 16, so every value, NaN
    /// payloads and signaling NaNs included, comes back bit for bit. Narrowing from <see cref="float"/> rounds to
    /// nearest, ties to even, on the dropped 16 bits; <c>+-0</c> and <c>+-inf</c> are exact, finite values from
    /// <c>0x7F7F8000</c> (3.3961776e38) up round to infinity as round-to-nearest-even prescribes, and a NaN stays a
    /// NaN: its sign and the top 7 bits of its payload are kept and the quiet bit (the top mantissa bit) is set, so no
    /// NaN can round into an infinity and none comes out signaling. Subnormal floats round like any other value (to a
    /// bfloat16 subnormal or to zero); the conversion is integer arithmetic and so independent of the floating-point
    /// control flags.</para>
    /// <para>Equality follows <see cref="float"/>: <c>==</c> and <c>!=</c> are IEEE comparisons (a NaN is unequal to
    /// everything, itself included, and <c>+0 == -0</c>), while <see cref="Equals(BFloat16)"/> and
    /// <see cref="CompareTo(BFloat16)"/> treat every NaN as equal to every NaN (so values can be dictionary keys and
    /// sorted) and still <c>+0</c> as equal to <c>-0</c>; <see cref="GetHashCode"/> agrees with that
    /// <see cref="Equals(BFloat16)"/>. <see cref="CompareTo(BFloat16)"/> orders NaN below every other value, as
    /// <see cref="float.CompareTo(float)"/> does.</para>
    /// </remarks>
    [StructLayout(LayoutKind.Sequential)]
    public readonly struct BFloat16 : IEquatable<BFloat16>, IComparable<BFloat16>
    {
        private const uint RoundingBias = 0x7FFF;     // half an ulp of the kept bits, minus one; the kept bit's LSB breaks ties
        private const uint QuietBit = 0x0040;         // the top mantissa bit of a bfloat16
        private const uint MagnitudeMask = 0x7FFFFFFF;
        private const uint PositiveInfinityBits = 0x7F800000;

        private readonly ushort _bits;

        private BFloat16(ushort bits) => _bits = bits;

        /// <summary>The value's bit pattern: sign in bit 15, exponent in bits 14 to 7, mantissa in bits 6 to 0.</summary>
        public ushort Bits => _bits;

        /// <summary>Makes the value with the given bit pattern (the upper 16 bits of a float32).</summary>
        /// <param name="bits">The bit pattern; every pattern is a valid value (NaN payloads included).</param>
        /// <returns>The value whose <see cref="Bits"/> are <paramref name="bits"/>.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static BFloat16 FromBits(ushort bits) => new(bits);

        /// <summary>Views a span of bit patterns as bfloat16 values, without copying.</summary>
        /// <param name="bits">The bit patterns.</param>
        /// <returns>The same memory as bfloat16 values.</returns>
        public static Span<BFloat16> FromBits(Span<ushort> bits) => MemoryMarshal.Cast<ushort, BFloat16>(bits);

        /// <summary>Views a read-only span of bit patterns as bfloat16 values, without copying.</summary>
        /// <param name="bits">The bit patterns.</param>
        /// <returns>The same memory as bfloat16 values.</returns>
        public static ReadOnlySpan<BFloat16> FromBits(ReadOnlySpan<ushort> bits) => MemoryMarshal.Cast<ushort, BFloat16>(bits);

        /// <summary>Views a span of bfloat16 values as their bit patterns, without copying.</summary>
        /// <param name="values">The values.</param>
        /// <returns>The same memory as bit patterns.</returns>
        public static Span<ushort> AsBits(Span<BFloat16> values) => MemoryMarshal.Cast<BFloat16, ushort>(values);

        /// <summary>Views a read-only span of bfloat16 values as their bit patterns, without copying.</summary>
        /// <param name="values">The values.</param>
        /// <returns>The same memory as bit patterns.</returns>
        public static ReadOnlySpan<ushort> AsBits(ReadOnlySpan<BFloat16> values) => MemoryMarshal.Cast<BFloat16, ushort>(values);

        /// <summary>
        /// Rounds a float to the nearest bfloat16, ties to even; NaN stays NaN (sign and top payload bits kept, made
        /// quiet), <c>+-0</c> and <c>+-inf</c> are exact and large finite values overflow to infinity.
        /// </summary>
        /// <param name="value">The value to round.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static explicit operator BFloat16(float value) => new((ushort)RoundBits(BitConverter.SingleToUInt32Bits(value)));

        /// <summary>Widens to float exactly: the bits shifted left by 16 (NaN payloads, signaling ones too, are kept).</summary>
        /// <param name="value">The value to widen.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static explicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value._bits << 16);

        /// <summary>IEEE equality, as for <see cref="float"/>: false when either is NaN, true for <c>+0</c> and <c>-0</c>.</summary>
        /// <param name="left">The first value.</param>
        /// <param name="right">The second value.</param>
        public static bool operator ==(BFloat16 left, BFloat16 right) => (float)left == (float)right;

        /// <summary>IEEE inequality, as for <see cref="float"/>: true when either is NaN, false for <c>+0</c> and <c>-0</c>.</summary>
        /// <param name="left">The first value.</param>
        /// <param name="right">The second value.</param>
        public static bool operator !=(BFloat16 left, BFloat16 right) => (float)left != (float)right;

        /// <summary>
        /// Rounds float bits to bfloat16 bits (in the low 16 bits of the result), to nearest with ties to even; the
        /// shared definition of the scalar conversion and of <see cref="Widening"/>'s vectorised narrowing.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static uint RoundBits(uint bits)
        {
            // Adding 0x7FFF plus the kept part's lowest bit carries into the kept bits exactly when the dropped 16 bits
            // exceed half an ulp, or equal it and the kept part is odd. The largest finite magnitude plus the bias stays
            // below the sign bit, so the carry can reach the exponent (overflow to infinity) but never the sign.
            uint rounded = (bits + RoundingBias + ((bits >> 16) & 1)) >> 16;
            return (bits & MagnitudeMask) > PositiveInfinityBits ? (bits >> 16) | QuietBit : rounded;
        }

        /// <summary>
        /// Whether this value equals <paramref name="other"/> as <see cref="float.Equals(float)"/> defines it: every NaN
        /// equals every NaN, and <c>+0</c> equals <c>-0</c>.
        /// </summary>
        /// <param name="other">The value to compare with.</param>
        /// <returns>True when both are NaN or both compare equal as floats.</returns>
        public bool Equals(BFloat16 other) => ((float)this).Equals((float)other);

        /// <summary>Whether <paramref name="obj"/> is a <see cref="BFloat16"/> that <see cref="Equals(BFloat16)"/> this value.</summary>
        /// <param name="obj">The object to compare with.</param>
        /// <returns>True when <paramref name="obj"/> is an equal <see cref="BFloat16"/>.</returns>
        public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

        /// <summary>A hash code consistent with <see cref="Equals(BFloat16)"/>: the same for <c>+0</c> and <c>-0</c> and for every NaN.</summary>
        /// <returns>The hash code.</returns>
        public override int GetHashCode() => ((float)this).GetHashCode();

        /// <summary>
        /// Orders as <see cref="float.CompareTo(float)"/> does: by value, with <c>+0</c> and <c>-0</c> equal and NaN below
        /// every other value (and equal to every NaN).
        /// </summary>
        /// <param name="other">The value to compare with.</param>
        /// <returns>Negative, zero or positive as this value is less than, equal to or greater than <paramref name="other"/>.</returns>
        public int CompareTo(BFloat16 other) => ((float)this).CompareTo((float)other);

        /// <summary>The value as the current culture writes its exact float: the shortest string that reads back as the same float.</summary>
        /// <returns>The string.</returns>
        public override string ToString() => ((float)this).ToString(CultureInfo.CurrentCulture);

        /// <summary>
        /// The value as <paramref name="provider"/> writes its exact float, for example
        /// <c>ToString(CultureInfo.InvariantCulture)</c>; reading it back as a float and narrowing gives this value again.
        /// </summary>
        /// <param name="provider">The culture or format information; null for the current culture.</param>
        /// <returns>The string.</returns>
        public string ToString(IFormatProvider? provider) => ((float)this).ToString(provider);
    }
}
