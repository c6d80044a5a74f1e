using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// The score transform of a kernel with modifiers, in the order of the score formula:
    /// <c>s = softcap(scale x dot) - slope x |p(i) - j| + bias(i, j)</c>, each term compiled only when
    /// <typeparamref name="TFeatures"/> declares it; one pass over the block's scores, a vector at a time. ALiBi's term is
    /// computed from the positions (never stored); the bias is read from the call's rows.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct ModifiedScore<TFeatures> : IScoreTransform
        where TFeatures : struct, IScoreFeatures
    {
        /// <inheritdoc/>
        public static bool IsIdentity
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => !TFeatures.RuntimeScale && TFeatures.Softcap == 0f && !TFeatures.Alibi && !TFeatures.Bias;
        }

        /// <inheritdoc/>
        public static bool MayHide
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TFeatures.Bias;
        }

        /// <inheritdoc/>
        public static bool HasSink
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TFeatures.Sinks;
        }

        private static bool HasSoftcap
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TFeatures.Softcap != 0f;
        }

        /// <summary>
        /// 1 / cap, folded by the JIT: a multiply instead of a division per vector (finite: KG0022 refuses caps whose
        /// reciprocal overflows, below about 2.9e-39). The softcap's worst relative error is
        /// then 2.6e-7 (2.3e-7 dividing; MathF.Tanh with a division, the plain float32 form, 2.6e-7: TanhOp's measurements).
        /// </summary>
        private static float InverseSoftcap
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 1f / TFeatures.Softcap;
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Apply(Span<float> scores, int queryRow, int position, int firstKey, in ScoreState state)
        {
            if (IsIdentity)
            {
                return;
            }

            ref float start = ref MemoryMarshal.GetReference(scores);
            ref float biasRow = ref Unsafe.NullRef<float>();
            if (TFeatures.Bias)
            {
                biasRow = ref Unsafe.Add(ref MemoryMarshal.GetReference(state.Bias), (nint)queryRow * state.BiasStride + firstKey);
            }

            float scale = state.Scale, slope = state.AlibiSlope;
            int length = scores.Length, index = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; index <= length - Vector512<float>.Count; index += Vector512<float>.Count)
                {
                    Vector512<float> s = Vector512.LoadUnsafe(ref start, (nuint)index);
                    if (TFeatures.RuntimeScale)
                    {
                        s *= scale;
                    }

                    if (HasSoftcap)
                    {
                        s = TanhOp.Invoke(s * InverseSoftcap) * TFeatures.Softcap;
                    }

                    if (TFeatures.Alibi)
                    {
                        Vector512<int> keys = Vector512<int>.Indices + Vector512.Create(firstKey + index);
                        s -= slope * Vector512.ConvertToSingle(Vector512.Abs(Vector512.Create(position) - keys));
                    }

                    if (TFeatures.Bias)
                    {
                        // A bias of -inf hides the key whatever its score (NaN or +inf from a bad key row included).
                        Vector512<float> b = Vector512.LoadUnsafe(ref biasRow, (nuint)index);
                        s = Vector512.ConditionalSelect(Vector512.Equals(b, Vector512.Create(float.NegativeInfinity)), b, s + b);
                    }

                    s.StoreUnsafe(ref start, (nuint)index);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; index <= length - Vector256<float>.Count; index += Vector256<float>.Count)
                {
                    Vector256<float> s = Vector256.LoadUnsafe(ref start, (nuint)index);
                    if (TFeatures.RuntimeScale)
                    {
                        s *= scale;
                    }

                    if (HasSoftcap)
                    {
                        s = TanhOp.Invoke(s * InverseSoftcap) * TFeatures.Softcap;
                    }

                    if (TFeatures.Alibi)
                    {
                        Vector256<int> keys = Vector256<int>.Indices + Vector256.Create(firstKey + index);
                        s -= slope * Vector256.ConvertToSingle(Vector256.Abs(Vector256.Create(position) - keys));
                    }

                    if (TFeatures.Bias)
                    {
                        Vector256<float> b = Vector256.LoadUnsafe(ref biasRow, (nuint)index);
                        s = Vector256.ConditionalSelect(Vector256.Equals(b, Vector256.Create(float.NegativeInfinity)), b, s + b);
                    }

                    s.StoreUnsafe(ref start, (nuint)index);
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                for (; index <= length - Vector128<float>.Count; index += Vector128<float>.Count)
                {
                    Vector128<float> s = Vector128.LoadUnsafe(ref start, (nuint)index);
                    if (TFeatures.RuntimeScale)
                    {
                        s *= scale;
                    }

                    if (HasSoftcap)
                    {
                        s = TanhOp.Invoke(s * InverseSoftcap) * TFeatures.Softcap;
                    }

                    if (TFeatures.Alibi)
                    {
                        Vector128<int> keys = Vector128<int>.Indices + Vector128.Create(firstKey + index);
                        s -= slope * Vector128.ConvertToSingle(Vector128.Abs(Vector128.Create(position) - keys));
                    }

                    if (TFeatures.Bias)
                    {
                        Vector128<float> b = Vector128.LoadUnsafe(ref biasRow, (nuint)index);
                        s = Vector128.ConditionalSelect(Vector128.Equals(b, Vector128.Create(float.NegativeInfinity)), b, s + b);
                    }

                    s.StoreUnsafe(ref start, (nuint)index);
                }
            }

            // The tail (and every score without vectors): the same operations one lane at a time.
            for (; index < length; index++)
            {
                float s = Unsafe.Add(ref start, index);
                if (TFeatures.RuntimeScale)
                {
                    s *= scale;
                }

                if (HasSoftcap)
                {
                    s = TanhOp.Invoke(s * InverseSoftcap) * TFeatures.Softcap;
                }

                if (TFeatures.Alibi)
                {
                    s -= slope * (float)Math.Abs(position - (firstKey + index));
                }

                if (TFeatures.Bias)
                {
                    float b = Unsafe.Add(ref biasRow, index);
                    s = float.IsNegativeInfinity(b) ? b : s + b;
                }

                Unsafe.Add(ref start, index) = s;
            }
        }
    }
}
