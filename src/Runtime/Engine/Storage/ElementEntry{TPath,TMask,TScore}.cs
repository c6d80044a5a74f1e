using System;
using System.Buffers;
using System.Runtime.InteropServices;

namespace KernelGen.Engine
{
    /// <summary>
    /// A call whose spans are not all float: a 16-bit query widened once into pooled floats, a 16-bit output computed in
    /// pooled floats and rounded once at the end, and 16-bit keys and values either widened whole (a prefill) or read in
    /// place by the single-row loop (a decode step). See the remarks of AttentionEngine's element-generic Compute.
    /// </summary>
    internal abstract class ElementEntry<TPath, TMask, TScore> : EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>Widens what is 16-bit, computes in float, narrows a 16-bit output (lengths already checked).</summary>
        internal static void Compute<TQuery, TKeyValue, TOutput>(ReadOnlySpan<TQuery> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value,
            Span<TOutput> output, Span<float> logSumExp, RuntimeMasks masks, ScoreArguments scores)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            float[]? queryBuffer = null, outputBuffer = null;
            try
            {
                ReadOnlySpan<float> floatQuery;
                if (typeof(TQuery) == typeof(float))
                {
                    floatQuery = MemoryMarshal.Cast<TQuery, float>(query);
                }
                else
                {
                    queryBuffer = ArrayPool<float>.Shared.Rent(Math.Max(1, query.Length));
                    ElementTypes.Widen(query, queryBuffer.AsSpan(0, query.Length));
                    floatQuery = queryBuffer.AsSpan(0, query.Length);
                }

                Span<float> floatOutput;
                if (typeof(TOutput) == typeof(float))
                {
                    floatOutput = MemoryMarshal.Cast<TOutput, float>(output);
                }
                else
                {
                    outputBuffer = ArrayPool<float>.Shared.Rent(Math.Max(1, output.Length));
                    floatOutput = outputBuffer.AsSpan(0, output.Length);
                }

                if (typeof(TKeyValue) == typeof(float))
                {
                    AttentionEngine<TPath, TMask, TScore>.Compute(floatQuery, MemoryMarshal.Cast<TKeyValue, float>(key), MemoryMarshal.Cast<TKeyValue, float>(value), floatOutput, logSumExp, masks, scores);
                }
                else
                {
                    ComputeWidened(floatQuery, key, value, floatOutput, logSumExp, masks, scores);
                }

                if (outputBuffer is not null)
                {
                    ElementTypes.Narrow(floatOutput, output); // round to nearest even, once
                }
            }
            finally
            {
                if (outputBuffer is not null)
                {
                    ArrayPool<float>.Shared.Return(outputBuffer);
                }

                if (queryBuffer is not null)
                {
                    ArrayPool<float>.Shared.Return(queryBuffer);
                }
            }
        }

        /// <summary>16-bit keys and values (see the remarks of AttentionEngine's element-generic Compute).</summary>
        internal static unsafe void ComputeWidened<TKeyValue>(ReadOnlySpan<float> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value, Span<float> output,
            Span<float> logSumExp, RuntimeMasks masks, ScoreArguments scores)
            where TKeyValue : unmanaged
        {
            int queryCount = query.Length / D, keyCount = key.Length / D;
            if (queryCount >= MinWidenedRows)
            {
                float[] keys = ArrayPool<float>.Shared.Rent(Math.Max(1, key.Length));
                float[] values = ArrayPool<float>.Shared.Rent(Math.Max(1, value.Length));
                try
                {
                    ElementTypes.Widen(key, keys.AsSpan(0, key.Length));
                    ElementTypes.Widen(value, values.AsSpan(0, value.Length));
                    AttentionEngine<TPath, TMask, TScore>.Compute(query, keys.AsSpan(0, key.Length), values.AsSpan(0, value.Length), output, logSumExp, masks, scores);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(values);
                    ArrayPool<float>.Shared.Return(keys);
                }

                return;
            }

            fixed (float* bias = scores.Bias)
            {
                var state = new ScoreState(scores.Scale, scores.AlibiSlope, scores.Sink, bias, scores.Bias.Length, scores.BiasStride);
                if (queryCount == 0)
                {
                    return;
                }

                if (keyCount == 0)
                {
                    output.Slice(0, queryCount * D).Clear();
                    logSumExp.Fill(EmptyRowLogSumExp(state));
                    return;
                }

                float[] scratch = ArrayPool<float>.Shared.Rent(2 * KeyBlock * D);
                try
                {
                    var rows = new StridedRows<TPath, TKeyValue>(key, value, D, scratch.AsSpan(0, KeyBlock * D), scratch.AsSpan(KeyBlock * D, KeyBlock * D));
                    ReadOnlySpan<bool> keyMask = TMask.HasRuntimeMasks ? masks.KeyMask : default;
                    ReadOnlySpan<bool> mask = TMask.HasRuntimeMasks ? masks.Mask : default;
                    int nonFinite = OnlineSoftmax.NonFiniteRows;
                    RowLoop<TPath, TMask, TScore>.RunSingleRows(query, default, default, ref rows, output, logSumExp, queryCount, keyCount, 0, queryCount, keyMask, mask, masks.MaskStride, default,
                        state);
                    if (OnlineSoftmax.NonFiniteRows != nonFinite)
                    {
                        OverflowRows<TPath, TMask, TScore>.Repair(OverflowRows<TPath, TMask, TScore>.OneHead(query, key, value, output, logSumExp, masks, in state));
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(scratch);
                }
            }
        }
    }
}
