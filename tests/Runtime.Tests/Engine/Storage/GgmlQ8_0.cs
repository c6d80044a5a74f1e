using System;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// A scalar transcription, written for these tests, of ggml's q8_0 rules (ggml-org/ggml at d99724f, 2026-08-21):
    /// <c>quantize_row_q8_0_ref</c> and <c>dequantize_row_q8_0</c> in src/ggml-quants.c, <c>MAX</c> and
    /// <c>ggml_compute_fp32_to_fp16</c> / <c>ggml_compute_fp16_to_fp32</c> in src/ggml-impl.h. It works on bytes, so
    /// it checks the layout as well as the numbers, and it shares no code with the runtime: <c>roundf</c> is written
    /// from the C standard in double, the half conversion is ggml's bit recipe, not .NET's cast.
    /// </summary>
    internal static class GgmlQ8_0
    {
        public const int BlockBytes = 34;

        /// <summary>quantize_row_q8_0_ref: per block amax, d = amax / 127, id = d ? 1 / d : 0, qs = roundf(x * id).</summary>
        public static byte[] Quantize(ReadOnlySpan<float> x)
        {
            int blocks = x.Length / 32;
            byte[] y = new byte[blocks * BlockBytes];
            for (int i = 0; i < blocks; i++)
            {
                float amax = 0.0f;
                for (int j = 0; j < 32; j++)
                {
                    float v = x[i * 32 + j];
                    amax = Max(amax, Fabsf(v));
                }

                float d = amax / ((1 << 7) - 1);
                float id = d != 0f ? 1.0f / d : 0.0f;
                ushort h = Fp32ToFp16(d);
                y[i * BlockBytes] = (byte)h; // ggml_half is little-endian on x86
                y[i * BlockBytes + 1] = (byte)(h >> 8);
                for (int j = 0; j < 32; j++)
                {
                    float x0 = x[i * 32 + j] * id;
                    y[i * BlockBytes + 2 + j] = (byte)FloatToInt8X86(Roundf(x0));
                }
            }

            return y;
        }

        /// <summary>dequantize_row_q8_0: y = qs[j] * GGML_FP16_TO_FP32(d), the int8 promoted to float.</summary>
        public static float[] Dequantize(ReadOnlySpan<byte> blocks)
        {
            int count = blocks.Length / BlockBytes;
            float[] y = new float[count * 32];
            for (int i = 0; i < count; i++)
            {
                float d = Fp16ToFp32((ushort)(blocks[i * BlockBytes] | blocks[i * BlockBytes + 1] << 8));
                for (int j = 0; j < 32; j++)
                {
                    y[i * 32 + j] = (float)(sbyte)blocks[i * BlockBytes + 2 + j] * d;
                }
            }

            return y;
        }

        /// <summary>ggml-impl.h: <c>#define MAX(a, b) ((a) &gt; (b) ? (a) : (b))</c>.</summary>
        private static float Max(float a, float b) => a > b ? a : b;

        private static float Fabsf(float v) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v) & 0x7FFFFFFF);

        /// <summary>C99 roundf: the nearest integer, halfway cases away from zero; infinities and NaN unchanged.</summary>
        public static float Roundf(float x)
        {
            if (float.IsNaN(x) || float.IsInfinity(x) || Math.Abs(x) >= 8388608f)
            {
                return x; // NaN, an infinity, or already an integer
            }

            // |x| + 0.5 is exact in double (x has 24 significant bits), so floor gives the C result.
            double magnitude = Math.Floor(Math.Abs((double)x) + 0.5);
            return (float)(x < 0 || (x == 0 && float.IsNegative(x)) ? -magnitude : magnitude);
        }

        /// <summary>
        /// C's float to int8_t conversion as x86-64 compilers emit it (cvttss2si to int32, low byte stored): truncation
        /// toward zero; NaN and values outside int32 give 0x80000000, whose low byte is 0.
        /// </summary>
        public static sbyte FloatToInt8X86(float value)
        {
            double truncated = Math.Truncate((double)value);
            int int32 = double.IsNaN(truncated) || truncated < int.MinValue || truncated > int.MaxValue ? int.MinValue : (int)truncated;
            return (sbyte)(byte)(int32 & 0xFF);
        }

        /// <summary>ggml_compute_fp32_to_fp16: scale into half's range, add a bias that rounds to nearest even.</summary>
        public static ushort Fp32ToFp16(float f)
        {
            float scaleToInf = BitConverter.UInt32BitsToSingle(0x77800000u);  // 0x1.0p+112f
            float scaleToZero = BitConverter.UInt32BitsToSingle(0x08800000u); // 0x1.0p-110f
            float baseValue = (Fabsf(f) * scaleToInf) * scaleToZero;

            uint w = BitConverter.SingleToUInt32Bits(f);
            uint shl1W = w + w;
            uint sign = w & 0x80000000u;
            uint bias = shl1W & 0xFF000000u;
            if (bias < 0x71000000u)
            {
                bias = 0x71000000u;
            }

            baseValue = BitConverter.UInt32BitsToSingle((bias >> 1) + 0x07800000u) + baseValue;
            uint bits = BitConverter.SingleToUInt32Bits(baseValue);
            uint expBits = (bits >> 13) & 0x00007C00u;
            uint mantissaBits = bits & 0x00000FFFu;
            uint nonsign = expBits + mantissaBits;
            return (ushort)((sign >> 16) | (shl1W > 0xFF000000u ? 0x7E00u : nonsign));
        }

        /// <summary>ggml_compute_fp16_to_fp32: normal halves by an exponent offset and 2^-112, subnormals by a magic bias.</summary>
        public static float Fp16ToFp32(ushort h)
        {
            uint w = (uint)h << 16;
            uint sign = w & 0x80000000u;
            uint twoW = w + w;

            uint expOffset = 0xE0u << 23;
            float expScale = BitConverter.UInt32BitsToSingle(0x07800000u); // 0x1.0p-112f
            float normalizedValue = BitConverter.UInt32BitsToSingle((twoW >> 4) + expOffset) * expScale;

            uint magicMask = 126u << 23;
            float magicBias = 0.5f;
            float denormalizedValue = BitConverter.UInt32BitsToSingle((twoW >> 17) | magicMask) - magicBias;

            uint denormalizedCutoff = 1u << 27;
            uint result = sign | (twoW < denormalizedCutoff ? BitConverter.SingleToUInt32Bits(denormalizedValue) : BitConverter.SingleToUInt32Bits(normalizedValue));
            return BitConverter.UInt32BitsToSingle(result);
        }
    }
}
