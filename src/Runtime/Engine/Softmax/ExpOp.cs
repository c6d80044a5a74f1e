using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// Single-precision <c>e^x</c> with scalar, <see cref="Vector128{T}"/>, <see cref="Vector256{T}"/> and
    /// <see cref="Vector512{T}"/> entry points that compute bit-identical results, so a kernel gives the same
    /// numbers whichever width the JIT picks.
    /// </summary>
    /// <remarks>
    /// <para>Derivation. Write <c>x = n ln2 + r</c> with <c>n = round(x log2 e)</c>, so <c>|r| &lt;= ln2 / 2 ~ 0.347</c>
    /// and <c>e^x = 2^n e^r</c>. The product <c>n ln2</c> is subtracted in two parts (Cody and Waite): <c>ln2_hi</c> has
    /// its low 9 mantissa bits zero, so <c>n * ln2_hi</c> is exact for <c>|n| &lt; 512</c> (here <c>|n| &lt;= 127</c>), and
    /// <c>ln2_lo</c> carries the rest. <c>e^r</c> is the degree-6 Taylor polynomial in Horner form; its truncation error is
    /// at most <c>r^7 / 7! ~ 1.2e-7</c> absolute, about 1.7e-7 relative at <c>r = -ln2/2</c>, near one float ulp
    /// (the tests measure under 3e-7 relative over [-87.3, 88]). <c>2^n</c> is built directly in the exponent field.
    /// Rounding uses the 1.5 * 2^23 trick, which is exact for <c>|x log2 e| &lt; 2^22</c>.</para>
    /// <para>Range. Inputs are clamped to [-87.3365, 88]: below -87.3365 (where <c>e^x</c> is smaller than the least
    /// normal float, 1.18e-38) the result is 0, an absolute error under 1.2e-38; above 88 the result saturates at
    /// <c>e^88 ~ 1.65e38</c>. Attention kernels only call it on max-subtracted scores (x &lt;= 0), where the result
    /// lies in [0, 1] with a relative error of about 2e-7. <c>-inf</c> gives 0 and NaN gives NaN.</para>
    /// <para>One entry point per width: .NET 10 has no public abstraction over Vector128/256/512 to write one generic
    /// body with (ISimdVector is internal; Vector&lt;T&gt; is one fixed width per process).</para>
    /// </remarks>
    internal readonly struct ExpOp
    {
        private const float Log2E = 1.44269504088896341f;
        private const float Ln2High = 0.693145751953125f;       // 0x3F317200: 9 trailing zero mantissa bits
        private const float Ln2Low = 1.42860682030941723212e-6f; // ln 2 - Ln2High
        private const float RoundingMagic = 12582912f;           // 1.5 * 2^23
        private const float MinInput = -87.33654f;               // ln(2^-126)
        private const float MaxInput = 88f;
        private const float C2 = 1f / 2f;
        private const float C3 = 1f / 6f;
        private const float C4 = 1f / 24f;
        private const float C5 = 1f / 120f;
        private const float C6 = 1f / 720f;

        /// <summary>Computes <c>e^x</c> for one value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x)
        {
            if (float.IsNaN(x))
            {
                return x;
            }

            if (x < MinInput)
            {
                return 0f;
            }

            float clamped = x > MaxInput ? MaxInput : x;
            float shifted = clamped * Log2E + RoundingMagic;
            float n = shifted - RoundingMagic;
            float r = clamped - n * Ln2High - n * Ln2Low;
            float p = Polynomial(r);
            int bits = (BitConverter.SingleToInt32Bits(shifted) - BitConverter.SingleToInt32Bits(RoundingMagic) + 127) << 23;
            return p * BitConverter.Int32BitsToSingle(bits);
        }

        /// <summary>Computes <c>e^x</c> for each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x)
        {
            Vector128<float> clamped = Vector128.Min(Vector128.Max(x, Vector128.Create(MinInput)), Vector128.Create(MaxInput));
            Vector128<float> shifted = clamped * Vector128.Create(Log2E) + Vector128.Create(RoundingMagic);
            Vector128<float> n = shifted - Vector128.Create(RoundingMagic);
            Vector128<float> r = clamped - n * Vector128.Create(Ln2High) - n * Vector128.Create(Ln2Low);
            Vector128<float> p = Vector128.Create(C6);
            p = p * r + Vector128.Create(C5);
            p = p * r + Vector128.Create(C4);
            p = p * r + Vector128.Create(C3);
            p = p * r + Vector128.Create(C2);
            p = p * r + Vector128.Create(1f);
            p = p * r + Vector128.Create(1f);
            Vector128<int> exponent = (shifted.AsInt32() - Vector128.Create(RoundingMagic).AsInt32() + Vector128.Create(127)) << 23;
            Vector128<float> result = p * exponent.AsSingle();
            result = Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(MinInput)), Vector128<float>.Zero, result);
            return Vector128.ConditionalSelect(Vector128.Equals(x, x), result, x);
        }

        /// <summary>Computes <c>e^x</c> for each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x)
        {
            Vector256<float> clamped = Vector256.Min(Vector256.Max(x, Vector256.Create(MinInput)), Vector256.Create(MaxInput));
            Vector256<float> shifted = clamped * Vector256.Create(Log2E) + Vector256.Create(RoundingMagic);
            Vector256<float> n = shifted - Vector256.Create(RoundingMagic);
            Vector256<float> r = clamped - n * Vector256.Create(Ln2High) - n * Vector256.Create(Ln2Low);
            Vector256<float> p = Vector256.Create(C6);
            p = p * r + Vector256.Create(C5);
            p = p * r + Vector256.Create(C4);
            p = p * r + Vector256.Create(C3);
            p = p * r + Vector256.Create(C2);
            p = p * r + Vector256.Create(1f);
            p = p * r + Vector256.Create(1f);
            Vector256<int> exponent = (shifted.AsInt32() - Vector256.Create(RoundingMagic).AsInt32() + Vector256.Create(127)) << 23;
            Vector256<float> result = p * exponent.AsSingle();
            result = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(MinInput)), Vector256<float>.Zero, result);
            return Vector256.ConditionalSelect(Vector256.Equals(x, x), result, x);
        }

        /// <summary>Computes <c>e^x</c> for each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x)
        {
            Vector512<float> clamped = Vector512.Min(Vector512.Max(x, Vector512.Create(MinInput)), Vector512.Create(MaxInput));
            Vector512<float> shifted = clamped * Vector512.Create(Log2E) + Vector512.Create(RoundingMagic);
            Vector512<float> n = shifted - Vector512.Create(RoundingMagic);
            Vector512<float> r = clamped - n * Vector512.Create(Ln2High) - n * Vector512.Create(Ln2Low);
            Vector512<float> p = Vector512.Create(C6);
            p = p * r + Vector512.Create(C5);
            p = p * r + Vector512.Create(C4);
            p = p * r + Vector512.Create(C3);
            p = p * r + Vector512.Create(C2);
            p = p * r + Vector512.Create(1f);
            p = p * r + Vector512.Create(1f);
            Vector512<int> exponent = (shifted.AsInt32() - Vector512.Create(RoundingMagic).AsInt32() + Vector512.Create(127)) << 23;
            Vector512<float> result = p * exponent.AsSingle();
            result = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(MinInput)), Vector512<float>.Zero, result);
            return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Polynomial(float r)
        {
            float p = C6;
            p = p * r + C5;
            p = p * r + C4;
            p = p * r + C3;
            p = p * r + C2;
            p = p * r + 1f;
            return p * r + 1f;
        }
    }
}
