using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// Single-precision <c>tanh x</c> with scalar, <see cref="Vector128{T}"/>, <see cref="Vector256{T}"/> and
    /// <see cref="Vector512{T}"/> entry points that compute bit-identical results. The kernels' logit softcap
    /// (<c>ModifiedScore</c>) is <c>cap x tanh(s x (1 / cap))</c> with it.
    /// </summary>
    /// <remarks>
    /// <para>Derivation. The sign is taken off (<c>a = |x|</c>) and ORed back at the end, so <c>tanh(-x)</c> is
    /// <c>-tanh(x)</c> bit for bit and the signed zeros are kept. A vector whose lanes are all below 0.625 returns the
    /// polynomial alone; otherwise both branches are computed for every lane and one is selected by <c>a &gt;= 0.625</c>
    /// (the same bits either way); a NaN fails that comparison and propagates through the polynomial.</para>
    /// <para><c>a &lt; 0.625</c>: <c>tanh a = a + a^3 P(a^2)</c> with <c>P</c> of degree 4 (an odd polynomial of
    /// degree 11). The coefficients were fitted for this type in double precision: Chebyshev interpolation of
    /// <c>(tanh(a)/a - 1)/a^2</c> as a polynomial in <c>u = a^2</c> on [0, 0.390625], refined by Remez exchange to a
    /// minimax of the relative error of <c>tanh</c>, then rounded to float; with the rounded coefficients the
    /// approximation error (evaluated in double) is 7.5e-9 relative, so float rounding is all that is left. The
    /// correction <c>a^3 P</c> is at most 12% of <c>a</c>, which damps its rounding errors; the final addition is the one
    /// rounding that counts. Tiny and subnormal <c>a</c> give <c>a^2 = 0</c> and hence exactly <c>a</c>.</para>
    /// <para><c>a &gt;= 0.625</c>: <c>tanh a = 1 - 2 / (e^(2a) + 1)</c> with <see cref="ExpOp"/>. A relative error d in
    /// <c>e^(2a)</c> becomes <c>d / sinh(2a)</c> in <c>tanh a</c>: at most 0.62 d at the threshold, falling quickly
    /// beyond it; and <c>2 / (e^(2a) + 1) &lt;= 0.45</c> there, so the subtraction from 1 cancels nothing. Above 44,
    /// <see cref="ExpOp"/> saturates at <c>e^88</c>, the quotient is below 2^-25 and the result is exactly 1 (float
    /// <c>tanh</c> is 1 from |x| ~ 9.01 on); <c>+-inf</c> gives <c>+-1</c>.</para>
    /// <para>Threshold and degree, measured (every 64th float, worst relative error): below 0.625 the polynomial
    /// branch is within 8e-8 for degree 4 (2.5e-7 for degree 3); the exponential branch reaches 2.3e-7 when used from
    /// 0.5 on, 1.9e-7 from 0.55 and 1.4e-7 from 0.625 (its worst point then lies at 0.87). A threshold of 1.0 lowers that
    /// to 8e-8 but needs degree 6 for the polynomial.</para>
    /// <para>Accuracy, measured on every finite float from 0 to <see cref="float.MaxValue"/> (and so, by the exact
    /// symmetry, on every negative one): worst relative error 1.47e-7 (x = 0.8664767, exponential branch) against
    /// <see cref="Math.Tanh"/> in double; the same run found the Vector128/256/512 entries bit-identical to the scalar one
    /// on all of them. For comparison, <see cref="MathF.Tanh"/> (.NET 10 on Linux x64) reaches 1.64e-7 on every 16th
    /// float of [1e-30, 100], and <c>(float)Math.Tanh</c> 6.0e-8.</para>
    /// <para>Rounding. Like <see cref="ExpOp"/>, every step is a plain multiply and add (the JIT does not contract them
    /// into fused multiply-adds), in the same order for the scalar and the vector entries, so all four agree bit for bit.
    /// The scalar entry branches where the vector ones select; the selected lane's operations are the same.</para>
    /// <para>Cost. The JIT's AVX2 listing of the <see cref="Vector256{T}"/> entry (.NET 10) has 55 instructions, 6 of
    /// them constant broadcasts: 13 for the polynomial branch, 28 (plus 4 broadcasts) for the inlined
    /// <see cref="ExpOp"/>, 4 to form the quotient and 4 to select and restore the sign; one division. That is about
    /// twice the 25 we aimed for. A cheaper design measured worse: an odd rational <c>x P(x^2) / Q(x^2)</c> clamped to
    /// [-9.5, 9.5], degrees 6 and 3, fitted the same way (about 23 instructions), reaches 3.2e-7 after float rounding,
    /// twice the error above. An exponential without <see cref="ExpOp"/>'s underflow and NaN handling (neither needed
    /// here) would save 6 instructions at the price of a second copy of its polynomial.</para>
    /// <para>Softcap form. Against <c>cap Math.Tanh(s / cap)</c> in double on every 7th float s in [1e-30, 200], the
    /// kernels' <c>cap x tanh(s x (1/cap))</c> reaches 2.17e-7, 2.59e-7, 2.31e-7 and 2.26e-7 relative for caps 50, 30, 1.5
    /// and 1e-3 (dividing instead: 2.05e-7 to 2.26e-7; the plain float32 <c>cap * MathF.Tanh(s / cap)</c> 2.42e-7 to
    /// 2.55e-7), so the multiply costs no accuracy the plain form has and saves a division per 8 scores.</para>
    /// <para>One entry point per width: .NET 10 has no public abstraction over Vector128/256/512 to write one generic
    /// body with (ISimdVector is internal; Vector&lt;T&gt; is one fixed width per process).</para>
    /// </remarks>
    internal readonly struct TanhOp
    {
        private const float Threshold = 0.625f;
        private const float C3 = -0.33333293f;   // 0xBEAAAA9D
        private const float C5 = 0.13331541f;    // 0x3E0883D6
        private const float C7 = -0.053738628f;  // 0xBD5C1D09
        private const float C9 = 0.020616004f;   // 0x3CA8E2E5
        private const float C11 = -0.005664783f; // 0xBBB99FA5

        /// <summary>Computes <c>tanh x</c> for one value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x)
        {
            int sign = BitConverter.SingleToInt32Bits(x) & int.MinValue;
            float a = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(x) & int.MaxValue);
            float magnitude;
            if (a >= Threshold)
            {
                magnitude = 1f - 2f / (ExpOp.Invoke(a + a) + 1f);
            }
            else
            {
                float u = a * a;
                float p = C11;
                p = p * u + C9;
                p = p * u + C7;
                p = p * u + C5;
                p = p * u + C3;
                magnitude = a * u * p + a;
            }

            return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(magnitude) | sign);
        }

        /// <summary>Computes <c>tanh x</c> for each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x)
        {
            Vector128<float> signBit = Vector128.Create(-0f);
            Vector128<float> a = Vector128.AndNot(x, signBit);
            Vector128<float> u = a * a;
            Vector128<float> p = Vector128.Create(C11);
            p = p * u + Vector128.Create(C9);
            p = p * u + Vector128.Create(C7);
            p = p * u + Vector128.Create(C5);
            p = p * u + Vector128.Create(C3);
            Vector128<float> small = a * u * p + a;
            if (Vector128.LessThanAll(a, Vector128.Create(Threshold)))
            {
                // Every lane takes the polynomial (softcapped scores well inside the cap): the blend below would pick
                // exactly these bits, so skipping the exp and the division changes no result.
                return small | (x & signBit);
            }

            Vector128<float> large = Vector128.Create(1f) - Vector128.Create(2f) / (ExpOp.Invoke(a + a) + Vector128.Create(1f));
            Vector128<float> magnitude = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(a, Vector128.Create(Threshold)), large, small);
            return magnitude | (x & signBit);
        }

        /// <summary>Computes <c>tanh x</c> for each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x)
        {
            Vector256<float> signBit = Vector256.Create(-0f);
            Vector256<float> a = Vector256.AndNot(x, signBit);
            Vector256<float> u = a * a;
            Vector256<float> p = Vector256.Create(C11);
            p = p * u + Vector256.Create(C9);
            p = p * u + Vector256.Create(C7);
            p = p * u + Vector256.Create(C5);
            p = p * u + Vector256.Create(C3);
            Vector256<float> small = a * u * p + a;
            if (Vector256.LessThanAll(a, Vector256.Create(Threshold)))
            {
                // Every lane takes the polynomial (softcapped scores well inside the cap): the blend below would pick
                // exactly these bits, so skipping the exp and the division changes no result.
                return small | (x & signBit);
            }

            Vector256<float> large = Vector256.Create(1f) - Vector256.Create(2f) / (ExpOp.Invoke(a + a) + Vector256.Create(1f));
            Vector256<float> magnitude = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(a, Vector256.Create(Threshold)), large, small);
            return magnitude | (x & signBit);
        }

        /// <summary>Computes <c>tanh x</c> for each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x)
        {
            Vector512<float> signBit = Vector512.Create(-0f);
            Vector512<float> a = Vector512.AndNot(x, signBit);
            Vector512<float> u = a * a;
            Vector512<float> p = Vector512.Create(C11);
            p = p * u + Vector512.Create(C9);
            p = p * u + Vector512.Create(C7);
            p = p * u + Vector512.Create(C5);
            p = p * u + Vector512.Create(C3);
            Vector512<float> small = a * u * p + a;
            if (Vector512.LessThanAll(a, Vector512.Create(Threshold)))
            {
                // Every lane takes the polynomial (softcapped scores well inside the cap): the blend below would pick
                // exactly these bits, so skipping the exp and the division changes no result.
                return small | (x & signBit);
            }

            Vector512<float> large = Vector512.Create(1f) - Vector512.Create(2f) / (ExpOp.Invoke(a + a) + Vector512.Create(1f));
            Vector512<float> magnitude = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(a, Vector512.Create(Threshold)), large, small);
            return magnitude | (x & signBit);
        }
    }
}
