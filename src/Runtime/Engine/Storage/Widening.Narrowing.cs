using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KernelGen.Engine;

namespace KernelGen
{
    // The one rounding back to 16 bits, to nearest with ties to even (see the class remarks in Widening.cs).
    public static partial class Widening
    {
        /// <summary>
        /// Rounds every float of <paramref name="source"/> to f16 into <paramref name="destination"/>: to nearest, ties to
        /// even, the same bits as <c>(Half)value</c> (overflow to infinity, subnormal results, NaN kept quiet with its
        /// sign and top 10 payload bits).
        /// </summary>
        /// <param name="source">The values.</param>
        /// <param name="destination">Receives the f16 values in its first <c>source.Length</c> elements; the rest is untouched.</param>
        /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="source"/>.</exception>
        /// <remarks>
        /// Per float magnitude <c>a</c> (bits), three candidates, one selected: in f16's normal range the exponent is
        /// rebiased in the integer bits and rounded by adding <c>0xFFF</c> plus the kept part's lowest bit before the
        /// 13-bit shift (a carry may reach the exponent, which is right), and the result is capped at infinity's
        /// <c>0x7C00</c> (overflow, from 65520 up, rounds there); below <c>2^-14</c> the float addition
        /// <c>a + 0.5</c> rounds <c>a</c> to a multiple of 2^-24, f16's subnormal step, with the processor's
        /// round-to-nearest-even, and the sum's low bits are the result; for inf and NaN that same addition returns inf, or
        /// the NaN quieted, whose bits shifted by 13 and rebiased are f16's. The sign is ORed back. The addition relies on
        /// the default rounding mode, to nearest (.NET never changes it); flush-to-zero cannot touch its results (at
        /// least 0.5), and denormals-are-zero would only turn float subnormal inputs, which round to <c>+-0</c> anyway,
        /// into zeros. 19 instructions per 8 floats with AVX2, plus 4 to pack them to 16 bits.
        /// </remarks>
        public static void Narrow(ReadOnlySpan<float> source, Span<Half> destination)
        {
            CheckDestination(source.Length, destination.Length, nameof(destination));
            ref float from = ref MemoryMarshal.GetReference(source);
            ref short to = ref Unsafe.As<Half, short>(ref MemoryMarshal.GetReference(destination));
            nuint length = (nuint)source.Length;
            nuint index = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; index + (nuint)(2 * Vector512<float>.Count) <= length; index += (nuint)(2 * Vector512<float>.Count))
                {
                    Vector512<int> lower = HalfBits(Vector512.LoadUnsafe(ref from, index));
                    Vector512<int> upper = HalfBits(Vector512.LoadUnsafe(ref from, index + (nuint)Vector512<float>.Count));
                    Vector512.Narrow(lower, upper).StoreUnsafe(ref to, index);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                // One vector per step, packed by halves: two per step (one 256-bit pack) leave the JIT too few of the 16
                // registers to keep the 9 constants in, and it reloads them every step; this form measured faster (bench/RESULTS.md, "Figures moved here from code comments").
                for (; index + (nuint)Vector256<float>.Count <= length; index += (nuint)Vector256<float>.Count)
                {
                    Vector256<int> bits = HalfBits(Vector256.LoadUnsafe(ref from, index));
                    Vector128.Narrow(bits.GetLower(), bits.GetUpper()).StoreUnsafe(ref to, index);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                for (; index + (nuint)(2 * Vector128<float>.Count) <= length; index += (nuint)(2 * Vector128<float>.Count))
                {
                    Vector128<int> lower = HalfBits(Vector128.LoadUnsafe(ref from, index));
                    Vector128<int> upper = HalfBits(Vector128.LoadUnsafe(ref from, index + (nuint)Vector128<float>.Count));
                    Vector128.Narrow(lower, upper).StoreUnsafe(ref to, index);
                }
            }

            for (; index < length; index++)
            {
                Unsafe.Add(ref to, index) = (short)HalfBits(Unsafe.Add(ref from, index));
            }
        }

        /// <summary>
        /// Rounds every float of <paramref name="source"/> to bf16 into <paramref name="destination"/>: to nearest, ties to
        /// even, the same bits as <c>(BFloat16)value</c> (overflow to infinity, NaN kept quiet with its sign).
        /// </summary>
        /// <param name="source">The values.</param>
        /// <param name="destination">Receives the bf16 values in its first <c>source.Length</c> elements; the rest is untouched.</param>
        /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="source"/>.</exception>
        public static void Narrow(ReadOnlySpan<float> source, Span<BFloat16> destination)
        {
            CheckDestination(source.Length, destination.Length, nameof(destination));
            ref float from = ref MemoryMarshal.GetReference(source);
            ref ushort to = ref Unsafe.As<BFloat16, ushort>(ref MemoryMarshal.GetReference(destination));
            nuint length = (nuint)source.Length;
            nuint index = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; index + (nuint)(2 * Vector512<float>.Count) <= length; index += (nuint)(2 * Vector512<float>.Count))
                {
                    Vector512<uint> lower = BFloat16Bits(Vector512.LoadUnsafe(ref from, index));
                    Vector512<uint> upper = BFloat16Bits(Vector512.LoadUnsafe(ref from, index + (nuint)Vector512<float>.Count));
                    Vector512.Narrow(lower, upper).StoreUnsafe(ref to, index);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; index + (nuint)(2 * Vector256<float>.Count) <= length; index += (nuint)(2 * Vector256<float>.Count))
                {
                    Vector256<uint> lower = BFloat16Bits(Vector256.LoadUnsafe(ref from, index));
                    Vector256<uint> upper = BFloat16Bits(Vector256.LoadUnsafe(ref from, index + (nuint)Vector256<float>.Count));
                    Vector256.Narrow(lower, upper).StoreUnsafe(ref to, index);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                for (; index + (nuint)(2 * Vector128<float>.Count) <= length; index += (nuint)(2 * Vector128<float>.Count))
                {
                    Vector128<uint> lower = BFloat16Bits(Vector128.LoadUnsafe(ref from, index));
                    Vector128<uint> upper = BFloat16Bits(Vector128.LoadUnsafe(ref from, index + (nuint)Vector128<float>.Count));
                    Vector128.Narrow(lower, upper).StoreUnsafe(ref to, index);
                }
            }

            for (; index < length; index++)
            {
                Unsafe.Add(ref to, index) = (ushort)BFloat16.RoundBits(BitConverter.SingleToUInt32Bits(Unsafe.Add(ref from, index)));
            }
        }

        /// <summary>f16 bits of one float, rounded to nearest even, in the low 16 bits; the scalar form of the vector overloads.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static int HalfBits(float value)
        {
            int bits = BitConverter.SingleToInt32Bits(value);
            int magnitude = bits & int.MaxValue;
            int sign = (int)((uint)(bits ^ magnitude) >> 16);
            int normal = (int)((uint)(magnitude - HalfNormalRebias + HalfRoundingBias + ((magnitude >> MantissaShift) & 1)) >> MantissaShift);
            normal = (int)Math.Min((uint)normal, (uint)HalfInfinityBits);
            int sum = BitConverter.SingleToInt32Bits(BitConverter.Int32BitsToSingle(magnitude) + BitConverter.Int32BitsToSingle(HalfSubnormalMagicBits));
            int result = magnitude < HalfSubnormalLimit ? sum - HalfSubnormalMagicBits
                : magnitude > FloatLargestFinite ? (int)((uint)sum >> MantissaShift) - NaNToHalfRebias
                : normal;
            return result | sign;
        }

        /// <summary>f16 bits of each lane in its low 16 bits; see <see cref="HalfBits(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<int> HalfBits(Vector128<float> value)
        {
            Vector128<int> bits = value.AsInt32();
            Vector128<int> magnitude = bits & Vector128.Create(int.MaxValue);
            Vector128<int> sign = Vector128.ShiftRightLogical(bits ^ magnitude, 16);
            Vector128<int> normal = magnitude + Vector128.Create(HalfRoundingBias - HalfNormalRebias) + (Vector128.ShiftRightLogical(magnitude, MantissaShift) & Vector128<int>.One);
            normal = Vector128.Min(Vector128.ShiftRightLogical(normal, MantissaShift).AsUInt32(), Vector128.Create((uint)HalfInfinityBits)).AsInt32();
            Vector128<int> magic = Vector128.Create(HalfSubnormalMagicBits);
            Vector128<int> sum = (magnitude.AsSingle() + magic.AsSingle()).AsInt32();
            Vector128<int> subnormal = sum - magic;
            Vector128<int> special = Vector128.ShiftRightLogical(sum, MantissaShift) - Vector128.Create(NaNToHalfRebias);
            Vector128<int> result = Vector128.ConditionalSelect(Vector128.LessThan(magnitude, Vector128.Create(HalfSubnormalLimit)), subnormal, normal);
            result = Vector128.ConditionalSelect(Vector128.GreaterThan(magnitude, Vector128.Create(FloatLargestFinite)), special, result);
            return result | sign;
        }

        /// <summary>f16 bits of each lane in its low 16 bits; see <see cref="HalfBits(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<int> HalfBits(Vector256<float> value)
        {
            Vector256<int> bits = value.AsInt32();
            Vector256<int> magnitude = bits & Vector256.Create(int.MaxValue);
            Vector256<int> sign = Vector256.ShiftRightLogical(bits ^ magnitude, 16);
            Vector256<int> normal = magnitude + Vector256.Create(HalfRoundingBias - HalfNormalRebias) + (Vector256.ShiftRightLogical(magnitude, MantissaShift) & Vector256<int>.One);
            normal = Vector256.Min(Vector256.ShiftRightLogical(normal, MantissaShift).AsUInt32(), Vector256.Create((uint)HalfInfinityBits)).AsInt32();
            Vector256<int> magic = Vector256.Create(HalfSubnormalMagicBits);
            Vector256<int> sum = (magnitude.AsSingle() + magic.AsSingle()).AsInt32();
            Vector256<int> subnormal = sum - magic;
            Vector256<int> special = Vector256.ShiftRightLogical(sum, MantissaShift) - Vector256.Create(NaNToHalfRebias);
            Vector256<int> result = Vector256.ConditionalSelect(Vector256.LessThan(magnitude, Vector256.Create(HalfSubnormalLimit)), subnormal, normal);
            result = Vector256.ConditionalSelect(Vector256.GreaterThan(magnitude, Vector256.Create(FloatLargestFinite)), special, result);
            return result | sign;
        }

        /// <summary>f16 bits of each lane in its low 16 bits; see <see cref="HalfBits(float)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<int> HalfBits(Vector512<float> value)
        {
            Vector512<int> bits = value.AsInt32();
            Vector512<int> magnitude = bits & Vector512.Create(int.MaxValue);
            Vector512<int> sign = Vector512.ShiftRightLogical(bits ^ magnitude, 16);
            Vector512<int> normal = magnitude + Vector512.Create(HalfRoundingBias - HalfNormalRebias) + (Vector512.ShiftRightLogical(magnitude, MantissaShift) & Vector512<int>.One);
            normal = Vector512.Min(Vector512.ShiftRightLogical(normal, MantissaShift).AsUInt32(), Vector512.Create((uint)HalfInfinityBits)).AsInt32();
            Vector512<int> magic = Vector512.Create(HalfSubnormalMagicBits);
            Vector512<int> sum = (magnitude.AsSingle() + magic.AsSingle()).AsInt32();
            Vector512<int> subnormal = sum - magic;
            Vector512<int> special = Vector512.ShiftRightLogical(sum, MantissaShift) - Vector512.Create(NaNToHalfRebias);
            Vector512<int> result = Vector512.ConditionalSelect(Vector512.LessThan(magnitude, Vector512.Create(HalfSubnormalLimit)), subnormal, normal);
            result = Vector512.ConditionalSelect(Vector512.GreaterThan(magnitude, Vector512.Create(FloatLargestFinite)), special, result);
            return result | sign;
        }

        /// <summary>bf16 bits of each lane in its low 16 bits, rounded to nearest even as <see cref="BFloat16"/>'s conversion.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<uint> BFloat16Bits(Vector128<float> value)
        {
            Vector128<uint> bits = value.AsUInt32();
            Vector128<uint> kept = bits >> 16;
            Vector128<uint> rounded = (bits + Vector128.Create(BFloat16RoundingBias) + (kept & Vector128<uint>.One)) >> 16;
            return Vector128.ConditionalSelect(Vector128.Equals(value, value).AsUInt32(), rounded, kept | Vector128.Create(BFloat16QuietBit));
        }

        /// <summary>bf16 bits of each lane in its low 16 bits, rounded to nearest even as <see cref="BFloat16"/>'s conversion.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<uint> BFloat16Bits(Vector256<float> value)
        {
            Vector256<uint> bits = value.AsUInt32();
            Vector256<uint> kept = bits >> 16;
            Vector256<uint> rounded = (bits + Vector256.Create(BFloat16RoundingBias) + (kept & Vector256<uint>.One)) >> 16;
            return Vector256.ConditionalSelect(Vector256.Equals(value, value).AsUInt32(), rounded, kept | Vector256.Create(BFloat16QuietBit));
        }

        /// <summary>bf16 bits of each lane in its low 16 bits, rounded to nearest even as <see cref="BFloat16"/>'s conversion.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<uint> BFloat16Bits(Vector512<float> value)
        {
            Vector512<uint> bits = value.AsUInt32();
            Vector512<uint> kept = bits >> 16;
            Vector512<uint> rounded = (bits + Vector512.Create(BFloat16RoundingBias) + (kept & Vector512<uint>.One)) >> 16;
            return Vector512.ConditionalSelect(Vector512.Equals(value, value).AsUInt32(), rounded, kept | Vector512.Create(BFloat16QuietBit));
        }

        private static void CheckDestination(int sourceLength, int destinationLength, string parameterName)
        {
            if (destinationLength < sourceLength)
            {
                throw new ArgumentException($"The destination has {destinationLength} elements, fewer than the source's {sourceLength}.", parameterName);
            }
        }
    }
}
