using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Threading;

namespace KernelGen.Engine
{
    /// <summary>
    /// The online-softmax recurrence of FlashAttention-2, one block of keys at a time, so that no row of the
    /// score matrix is ever stored whole.
    /// </summary>
    /// <remarks>
    /// <para>For a query row the state is the running maximum <c>m</c>, the running sum <c>l</c> of
    /// <c>e^(s_j - m)</c>, and the unnormalised output accumulator <c>acc = sum_j e^(s_j - m) v_j</c>.
    /// For a new block of scores <c>s</c>: <c>m' = max(m, max s)</c>, <c>c = e^(m - m')</c>,
    /// <c>l' = c l + sum e^(s - m')</c>, <c>acc' = c acc + sum e^(s_j - m') v_j</c>. At the end <c>out = acc / l</c>.
    /// Every exponent is of a value &lt;= 0, so nothing overflows.</para>
    /// <para>A row starts at <c>m = -inf</c>, <c>l = 0</c>: the first block's correction is <c>e^-inf = 0</c>, which
    /// clears nothing that is not already zero. A row that never sees a key keeps <c>l = 0</c> and is written as zeros.</para>
    /// <para>Non-finite scores: NaN, or a score of +inf (finite inputs whose float32 score overflows: a huge scale or huge
    /// entries), make the row NaN here; such a row is counted when it finishes (<see cref="NonFiniteRows"/>), and the engine then
    /// computes the NaN rows again exactly (OverflowRows), so a NaN survives only where the reference has one.</para>
    /// </remarks>
    internal static class OnlineSoftmax
    {
        /// <summary>The number of keys a generated kernel scores before each softmax update.</summary>
        public const int BlockSize = 64;

        /// <summary>
        /// Folds one block of scores into the running state. On return <paramref name="scores"/> holds the weights
        /// <c>e^(s_j - m')</c>; the result is the factor <c>e^(m - m')</c> by which the caller scales its accumulator
        /// before adding the weighted values.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static float Update(Span<float> scores, ref float runningMax, ref float runningSum)
        {
            float blockMax = Reductions.Max(scores);
            float newMax = MathF.Max(runningMax, blockMax);
            if (float.IsNegativeInfinity(newMax))
            {
                // Every score so far is -inf: no key carries weight yet.
                scores.Clear();
                return 1f;
            }

            float correction = ExpOp.Invoke(runningMax - newMax);
            float blockSum = ExpSubtractAndSum(scores, newMax);
            runningSum = runningSum * correction + blockSum;
            runningMax = newMax;
            return correction;
        }

        private static int s_nonFiniteRows;

        /// <summary>
        /// How many rows, on any thread, have finished with a NaN sum or a maximum of +inf or NaN since the process started
        /// (it wraps). A call that sees it change knows some row came out NaN and scans its output; otherwise it need not.
        /// </summary>
        internal static int NonFiniteRows => Volatile.Read(ref s_nonFiniteRows);

        /// <summary>Counts a finished row whose state is not finite (see <see cref="NonFiniteRows"/>); one test per row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void NoteIfNonFinite(float runningMax, float runningSum)
        {
            if (!(runningMax < float.PositiveInfinity) || float.IsNaN(runningSum))
            {
                NoteNonFiniteRow();
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void NoteNonFiniteRow() => Interlocked.Increment(ref s_nonFiniteRows);

        /// <summary>
        /// A finished row's log-sum-exp, <c>ln sum_j e^(s_j)</c> over its visible scaled scores: <c>m + ln(sum)</c>;
        /// negative infinity for a row that saw no key; NaN for a row whose scores were NaN (as its output is), never -inf.
        /// </summary>
        public static float LogSumExp(float runningMax, float runningSum) =>
            runningSum > 0f ? runningMax + MathF.Log(runningSum) : runningSum == 0f ? float.NegativeInfinity : float.NaN;

        /// <summary>
        /// The careful form of a tile's <c>acc_r = corrections[r] * acc_r + sum_t weights[r * weightStride + t] * value_t</c>
        /// for <paramref name="rows"/> rows: keys whose weight is exactly 0 (masked lanes) are skipped rather than
        /// multiplied, so a NaN or infinity in a masked key's value row cannot reach the output (0 * inf is NaN). Kernels
        /// call it only for a tile that has masked lanes and a non-finite value; the fast micro-kernel does the rest.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void AccumulateNonZero(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights,
            int weightStride, ReadOnlySpan<float> valueRows, int rows, int headDimension)
        {
            int keys = valueRows.Length / headDimension;
            for (int row = 0; row < rows; row++)
            {
                Span<float> accumulator = accumulators.Slice(row * headDimension, headDimension);
                float correction = corrections[row];
                for (int c = 0; c < headDimension; c++)
                {
                    accumulator[c] *= correction;
                }

                ReadOnlySpan<float> rowWeights = weights.Slice(row * weightStride, keys);
                for (int t = 0; t < keys; t++)
                {
                    float weight = rowWeights[t];
                    if (weight == 0f)
                    {
                        continue;
                    }

                    ReadOnlySpan<float> value = valueRows.Slice(t * headDimension, headDimension);
                    for (int c = 0; c < headDimension; c++)
                    {
                        accumulator[c] += weight * value[c];
                    }
                }
            }
        }

        /// <summary>
        /// Writes <c>accumulator / runningSum</c> to <paramref name="destination"/>, or zeros when the row saw no key
        /// (<paramref name="runningSum"/> is 0).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Normalize(ReadOnlySpan<float> accumulator, float runningSum, Span<float> destination)
        {
            if (accumulator.Length != destination.Length)
            {
                throw new ArgumentException("The destination must have the accumulator's length.", nameof(destination));
            }

            if (runningSum == 0f)
            {
                destination.Clear();
                return;
            }

            float factor = 1f / runningSum;
            ref float source = ref MemoryMarshal.GetReference(accumulator);
            ref float target = ref MemoryMarshal.GetReference(destination);
            int index = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; index <= accumulator.Length - Vector512<float>.Count; index += Vector512<float>.Count)
                {
                    (Vector512.LoadUnsafe(ref source, (nuint)index) * factor).StoreUnsafe(ref target, (nuint)index);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; index <= accumulator.Length - Vector256<float>.Count; index += Vector256<float>.Count)
                {
                    (Vector256.LoadUnsafe(ref source, (nuint)index) * factor).StoreUnsafe(ref target, (nuint)index);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                for (; index <= accumulator.Length - Vector128<float>.Count; index += Vector128<float>.Count)
                {
                    (Vector128.LoadUnsafe(ref source, (nuint)index) * factor).StoreUnsafe(ref target, (nuint)index);
                }
            }

            for (; index < accumulator.Length; index++)
            {
                destination[index] = accumulator[index] * factor;
            }
        }

        /// <summary>
        /// Merges chunk states (each: d accumulator floats, the chunk's max, its sum; see <see cref="IKeyChunkKernel"/>) in
        /// chunk order into one state: max = the largest chunk max, and each chunk's accumulator and sum scaled by
        /// e^(chunk max - max) (the log-sum-exp merge). Chunks that saw no key (max = -inf) contribute nothing.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void MergeChunks(ReadOnlySpan<float> partials, int chunks, Span<float> accumulator, out float runningMax, out float runningSum)
        {
            int d = accumulator.Length;
            int stride = d + 2;
            if (partials.Length < chunks * stride)
            {
                throw new ArgumentException($"The partials need {chunks * stride} floats.", nameof(partials));
            }

            runningMax = float.NegativeInfinity;
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                runningMax = MathF.Max(runningMax, partials[chunk * stride + d]);
            }

            runningSum = 0f;
            accumulator.Clear();
            if (float.IsNegativeInfinity(runningMax))
            {
                return;
            }

            for (int chunk = 0; chunk < chunks; chunk++)
            {
                float chunkMax = partials[chunk * stride + d];
                if (float.IsNegativeInfinity(chunkMax))
                {
                    continue;
                }

                float factor = ExpOp.Invoke(chunkMax - runningMax);
                runningSum += partials[chunk * stride + d + 1] * factor;
                ReadOnlySpan<float> chunkAccumulator = partials.Slice(chunk * stride, d);
                for (int c = 0; c < d; c++)
                {
                    accumulator[c] += chunkAccumulator[c] * factor;
                }
            }
        }

        /// <summary>Replaces each value x by <c>e^(x - max)</c> and returns the sum of the results.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static float ExpSubtractAndSum(Span<float> values, float max)
        {
            ref float start = ref MemoryMarshal.GetReference(values);
            int length = values.Length;
            int index = 0;
            float sum = 0f;

            if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
            {
                Vector512<float> shift = Vector512.Create(max);
                Vector512<float> total = Vector512<float>.Zero;
                for (; index <= length - Vector512<float>.Count; index += Vector512<float>.Count)
                {
                    Vector512<float> weight = ExpOp.Invoke(Vector512.LoadUnsafe(ref start, (nuint)index) - shift);
                    weight.StoreUnsafe(ref start, (nuint)index);
                    total += weight;
                }

                sum = Vector512.Sum(total);
            }
            else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
            {
                Vector256<float> shift = Vector256.Create(max);
                Vector256<float> total = Vector256<float>.Zero;
                for (; index <= length - Vector256<float>.Count; index += Vector256<float>.Count)
                {
                    Vector256<float> weight = ExpOp.Invoke(Vector256.LoadUnsafe(ref start, (nuint)index) - shift);
                    weight.StoreUnsafe(ref start, (nuint)index);
                    total += weight;
                }

                sum = Vector256.Sum(total);
            }
            else if (Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count)
            {
                Vector128<float> shift = Vector128.Create(max);
                Vector128<float> total = Vector128<float>.Zero;
                for (; index <= length - Vector128<float>.Count; index += Vector128<float>.Count)
                {
                    Vector128<float> weight = ExpOp.Invoke(Vector128.LoadUnsafe(ref start, (nuint)index) - shift);
                    weight.StoreUnsafe(ref start, (nuint)index);
                    total += weight;
                }

                sum = Vector128.Sum(total);
            }

            for (; index < length; index++)
            {
                float weight = ExpOp.Invoke(values[index] - max);
                values[index] = weight;
                sum += weight;
            }

            return sum;
        }
    }
}
