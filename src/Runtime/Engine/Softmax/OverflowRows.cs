using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// Rows whose float32 computation failed, computed again exactly. Finite inputs can give a score past float32's range
    /// (a run-time scale of 3e38; entries near 1e20, whose products overflow, to +inf and -inf within one dot product):
    /// the online softmax then meets e^(inf - inf) and the row comes out NaN. When any row of a call finished with a +inf
    /// or NaN state (<see cref="OnlineSoftmax.NonFiniteRows"/> moved), the engine scans the rows it wrote (one vector pass)
    /// and recomputes each row holding a NaN here: every visible
    /// key's dot product in double (exact for float inputs: no product or sum of them overflows double), the score rounded
    /// to float32 as the kernels define it, then the softmax at its limit where scores are infinite, as
    /// <see cref="ReferenceAttention"/> defines it: the +inf keys share the row's weight equally (log-sum-exp +inf), -inf
    /// keys weigh 0. A NaN input still gives NaN. Rows that came out finite are untouched, so their bits do not change.
    /// </summary>
    internal static class OverflowRows<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TPath.HeadDimension;
        }

        /// <summary>Recomputes the rows of <paramref name="group"/> (bounds already checked) whose output holds a NaN.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // reached only when a row finished non-finite: kept out of the callers
        public static void Repair<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int rows = group.QueryCount;
            if (rows == 0)
            {
                return;
            }

            for (int head = 0; head < group.Heads; head++)
            {
                int first = head * group.QueryHeadStride;
                // Contiguous rows (the common case) are scanned in one pass, strided ones row by row.
                if (group.QueryRowStride == D ? !HasNaN((ReadOnlySpan<TOutput>)group.Output.Slice(first, rows * D)) : !AnyRowHasNaN(group, first))
                {
                    continue;
                }

                RepairHead(group, head);
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static bool AnyRowHasNaN<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int first)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            for (int row = 0; row < group.QueryCount; row++)
            {
                if (HasNaN((ReadOnlySpan<TOutput>)group.Output.Slice(first + row * group.QueryRowStride, D)))
                {
                    return true;
                }
            }

            return false;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RepairHead<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int head)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int keyValueHeads = Math.Max(1, group.KeyValueHeads);
            int keyHead = head / (group.Heads / keyValueHeads);
            float[] buffer = ArrayPool<float>.Shared.Rent(3 * D);
            try
            {
                Span<float> query = buffer.AsSpan(0, D), row = buffer.AsSpan(D, D), output = buffer.AsSpan(2 * D, D);
                for (int queryRow = 0; queryRow < group.QueryCount; queryRow++)
                {
                    int offset = head * group.QueryHeadStride + queryRow * group.QueryRowStride;
                    if (!HasNaN((ReadOnlySpan<TOutput>)group.Output.Slice(offset, D)))
                    {
                        continue;
                    }

                    ElementTypes.Widen(group.Query.Slice(offset, D), query);
                    float logSumExp = RecomputeRow(group, keyHead, group.Scores[head], queryRow, query, row, output);
                    ElementTypes.Narrow<TOutput>(output, group.Output.Slice(offset, D));
                    if (!group.LogSumExp.IsEmpty)
                    {
                        group.LogSumExp[head * group.LogSumExpHeadStride + queryRow] = logSumExp;
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        /// <summary>One row, exactly (see the class remarks), into <paramref name="output"/>; returns its log-sum-exp.</summary>
        private static float RecomputeRow<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int keyHead, in ScoreState score,
            int queryRow, ReadOnlySpan<float> query, Span<float> row, Span<float> output)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int keyCount = group.KeyCount;
            long position = (long)queryRow + keyCount - group.QueryCount;
            ReadOnlySpan<int> globals = TMask.HasWindow ? TMask.GlobalPositions : default;
            bool rowIsGlobal = position >= 0 && position <= int.MaxValue && globals.BinarySearch((int)position) >= 0;
            MaskGeometry.RowRange(position, keyCount, TMask.Causal, TMask.HasWindow, TMask.WindowLeft, TMask.WindowRight, rowIsGlobal,
                out int rangeStart, out int rangeEnd, out int visibleEnd);

            // Only the keys the geometry can allow are visited: the row's range, then the global keys outside it.
            double[] rented = ArrayPool<double>.Shared.Rent(D);
            try
            {
                var state = new RowState(rented.AsSpan(0, D));
                for (int pass = 0; pass < 2; pass++)
                {
                    for (int key = rangeStart; key < rangeEnd; key++)
                    {
                        Visit(group, keyHead, score, queryRow, position, key, query, row, ref state);
                    }

                    foreach (int key in globals)
                    {
                        if (key < visibleEnd && (key < rangeStart || key >= rangeEnd))
                        {
                            Visit(group, keyHead, score, queryRow, position, key, query, row, ref state);
                        }
                    }

                    if (pass == 0)
                    {
                        if (double.IsNaN(state.Max) || double.IsNegativeInfinity(state.Max))
                        {
                            break; // a NaN input (the reference's row is NaN too), or no visible key
                        }

                        // At the limit (a score of +inf) only the +inf keys weigh, 1 each, and the sink nothing.
                        state.Shift = TScore.HasSink && state.Infinite == 0 ? Math.Max(state.Max, score.Sink) : state.Max;
                        state.Weighing = true;
                    }
                }

                output.Clear();
                if (double.IsNaN(state.Max))
                {
                    output.Fill(float.NaN);
                    return float.NaN;
                }

                if (double.IsNegativeInfinity(state.Max))
                {
                    return TScore.HasSink ? score.Sink : float.NegativeInfinity; // no visible key: zeros
                }

                double sum = state.Sum + (TScore.HasSink && state.Infinite == 0 ? Math.Exp(score.Sink - state.Shift) : 0);
                for (int c = 0; c < D; c++)
                {
                    output[c] = (float)(state.Accumulator[c] / sum);
                }

                return state.Infinite > 0 ? float.PositiveInfinity : (float)(state.Shift + Math.Log(sum));
            }
            finally
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }

        /// <summary>A row being recomputed: the first pass finds the maximum score, the second weighs the value rows.</summary>
        private ref struct RowState
        {
            public RowState(Span<double> accumulator)
            {
                Accumulator = accumulator;
                Accumulator.Clear();
                Max = double.NegativeInfinity;
            }

            public Span<double> Accumulator;
            public double Max, Shift, Sum;
            public int Infinite;
            public bool Weighing;
        }

        /// <summary>One key of the row: in the first pass its score joins the maximum; in the second its value row is weighed in.</summary>
        private static void Visit<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int keyHead, in ScoreState score, int queryRow,
            long position, int key, ReadOnlySpan<float> query, Span<float> row, ref RowState state)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            if (!Visible(group, queryRow, key))
            {
                return;
            }

            float s = Score(group, keyHead, score, queryRow, position, key, query, row);
            if (!state.Weighing)
            {
                state.Max = Math.Max(state.Max, s); // NaN stays NaN
                state.Infinite += float.IsPositiveInfinity(s) ? 1 : 0;
                return;
            }

            double weight = state.Infinite > 0 ? (float.IsPositiveInfinity(s) ? 1 : 0) : Math.Exp(s - state.Shift);
            if (weight == 0)
            {
                return; // 0 x an infinite value would be NaN; a key of weight 0 contributes nothing
            }

            state.Sum += weight;
            ElementTypes.Widen(group.Value.Slice(keyHead * group.KeyHeadStride + key * group.KeyRowStride, D), row);
            for (int c = 0; c < D; c++)
            {
                state.Accumulator[c] += weight * row[c];
            }
        }

        /// <summary>The run-time masks for one (row, key) the geometry allows.</summary>
        private static bool Visible<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int queryRow, int key)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            if (!TMask.HasRuntimeMasks)
            {
                return true;
            }

            RuntimeMasks masks = group.Masks;
            return (masks.KeyMask.IsEmpty || masks.KeyMask[key]) && (masks.Mask.IsEmpty || masks.Mask[queryRow * masks.MaskStride + key]);
        }

        /// <summary>Key <paramref name="key"/>'s score: the dot product in double, rounded to float32, then the score transform.</summary>
        private static float Score<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int keyHead, in ScoreState score, int queryRow,
            long position, int key, ReadOnlySpan<float> query, Span<float> row)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            ElementTypes.Widen(group.Key.Slice(keyHead * group.KeyHeadStride + key * group.KeyRowStride, D), row);
            double dot = 0;
            for (int c = 0; c < D; c++)
            {
                dot += (double)query[c] * row[c];
            }

            Span<float> one = stackalloc float[1];
            one[0] = (float)(dot * TPath.ScoreScale);
            TScore.Apply(one, queryRow, (int)position, key, score);
            return one[0];
        }

        /// <summary>Whether any element is NaN (16-bit outputs widened first).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool HasNaN<T>(ReadOnlySpan<T> values)
            where T : unmanaged
        {
            if (typeof(T) == typeof(float))
            {
                return HasNaNFloats(MemoryMarshal.Cast<T, float>(values));
            }

            // 16-bit: NaN is an all-ones exponent with a non-zero mantissa, i.e. the magnitude bits above infinity's.
            ushort infinity = typeof(T) == typeof(Half) ? (ushort)0x7C00 : (ushort)0x7F80;
            foreach (ushort bits in MemoryMarshal.Cast<T, ushort>(values))
            {
                if ((bits & 0x7FFF) > infinity)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether any float is NaN: x != x, a vector at a time.</summary>
        private static bool HasNaNFloats(ReadOnlySpan<float> values)
        {
            ref float start = ref MemoryMarshal.GetReference(values);
            int length = values.Length, index = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> ordered = Vector256<float>.AllBitsSet;
                for (; index <= length - Vector256<float>.Count; index += Vector256<float>.Count)
                {
                    Vector256<float> v = Vector256.LoadUnsafe(ref start, (nuint)index);
                    ordered &= Vector256.Equals(v, v);
                }

                if (ordered.AsInt32() != Vector256<int>.AllBitsSet) // compared as bits: all-ones read as a float is NaN
                {
                    return true;
                }
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                Vector128<float> ordered = Vector128<float>.AllBitsSet;
                for (; index <= length - Vector128<float>.Count; index += Vector128<float>.Count)
                {
                    Vector128<float> v = Vector128.LoadUnsafe(ref start, (nuint)index);
                    ordered &= Vector128.Equals(v, v);
                }

                if (ordered.AsInt32() != Vector128<int>.AllBitsSet)
                {
                    return true;
                }
            }

            for (; index < length; index++)
            {
                if (float.IsNaN(Unsafe.Add(ref start, index)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>A single head's contiguous rows as a head group (what Repair takes, for a single-head call).</summary>
        internal static HeadGroup<float, TKeyValue, float> OneHead<TKeyValue>(ReadOnlySpan<float> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value,
            Span<float> output, Span<float> logSumExp, RuntimeMasks masks, in ScoreState state)
            where TKeyValue : unmanaged => new()
        {
            Query = query,
            Output = output,
            QueryRowStride = D,
            Key = key,
            Value = value,
            KeyRowStride = D,
            KeyValueHeads = 1,
            Heads = 1,
            QueryCount = query.Length / D,
            KeyCount = key.Length / D,
            LogSumExp = logSumExp,
            Masks = masks,
            Scores = new ReadOnlySpan<ScoreState>(in state),
        };
    }
}
