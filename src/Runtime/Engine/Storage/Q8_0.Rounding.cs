using System;
using System.Runtime.CompilerServices;

namespace KernelGen
{
    // The scalar rule: ggml's reference quantiser (quantize_row_q8_0_ref, ggml/src/ggml-quants.c) operation by
    // operation, in float32, and the pieces the vector paths share with it (the scale and the int8 conversion), so a
    // block has one definition whichever path runs.
    public static partial class Q8_0
    {
        /// <summary>ggml's <c>(1 &lt;&lt; 7) - 1</c>: the largest magnitude maps to 127, so q never needs -128.</summary>
        private const float LargestLevel = 127f;

        /// <summary>One block by the scalar rule: any values, NaN and infinities included.</summary>
        private static void QuantizeScalar(ref float values, ref BlockQ8_0 block)
        {
            float amax = 0f;
            for (int j = 0; j < BlockQ8_0.ValueCount; j++)
            {
                float magnitude = MathF.Abs(Unsafe.Add(ref values, j));

                // C's MAX(a, b) is ((a) > (b) ? (a) : (b)): a NaN is kept only while no value follows it.
                amax = amax > magnitude ? amax : magnitude;
            }

            Scales(amax, out float d, out float id);
            block.scale = ToHalf(d);
            for (int j = 0; j < BlockQ8_0.ValueCount; j++)
            {
                block.values[j] = ToInt8(MathF.Round(Unsafe.Add(ref values, j) * id, MidpointRounding.AwayFromZero));
            }
        }

        /// <summary>
        /// The scale d and its reciprocal id, as ggml computes them: <c>d = amax / 127</c>, and <c>id = 1 / d</c> unless d
        /// is zero (a NaN d is "not zero" in C too, so its id is NaN).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Scales(float amax, out float d, out float id)
        {
            d = amax / LargestLevel;
            id = d != 0f ? 1f / d : 0f;
        }

        /// <summary>
        /// d as a half, rounded to nearest with ties to even, as ggml's <c>GGML_FP32_TO_FP16</c>; .NET's conversion is
        /// that rounding for every number, but keeps a NaN's payload where ggml writes the sign and 0x7E00.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Half ToHalf(float d) =>
            float.IsNaN(d)
                ? BitConverter.UInt16BitsToHalf((ushort)(((BitConverter.SingleToUInt32Bits(d) >> 16) & 0x8000) | 0x7E00))
                : (Half)d;

        /// <summary>
        /// C's float to int8_t conversion as x86-64 builds of ggml perform it: truncation to int32 (cvttss2si, whose
        /// answer for a NaN or a value outside the int32 range is int32's minimum), then the low 8 bits. In range (every
        /// block with finite values and a finite id) this is the plain conversion; .NET's own saturates instead.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static sbyte ToInt8(float rounded) =>
            rounded >= -2147483648f && rounded < 2147483648f ? unchecked((sbyte)(int)rounded) : (sbyte)0;
    }
}
