using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>A head group's prefill: each query head through the full single-head engine on float rows.</summary>
    internal abstract class HeadPrefill<TPath, TMask, TScore> : EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>Key/value head <paramref name="keyHead"/> of <paramref name="group"/> and its query heads, as a call of its own.</summary>
        internal static HeadGroup<TQuery, TKeyValue, TOutput> OneKeyValueHead<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int keyHead,
            int perGroup)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            if (group.KeyValueHeads <= 1)
            {
                return group;
            }

            int firstHead = keyHead * perGroup;
            return new HeadGroup<TQuery, TKeyValue, TOutput>
            {
                Query = group.Query.Slice(firstHead * group.QueryHeadStride),
                Output = group.Output.Slice(firstHead * group.QueryHeadStride),
                QueryRowStride = group.QueryRowStride,
                QueryHeadStride = group.QueryHeadStride,
                Key = group.KeyCount == 0 ? default : group.Key.Slice(keyHead * group.KeyHeadStride),
                Value = group.KeyCount == 0 ? default : group.Value.Slice(keyHead * group.KeyHeadStride),
                KeyRowStride = group.KeyRowStride,
                KeyValueHeads = 1,
                Heads = perGroup,
                QueryCount = group.QueryCount,
                KeyCount = group.KeyCount,
                LogSumExp = group.LogSumExp.IsEmpty ? default : group.LogSumExp.Slice(firstHead * group.LogSumExpHeadStride),
                LogSumExpHeadStride = group.LogSumExpHeadStride,
                Masks = group.Masks,
                Scores = group.Scores.Slice(firstHead, perGroup),
            };
        }

        /// <summary>Each head through the full engine on float rows (see the remarks of <see cref="AttentionEngine{TPath, TMask, TScore}.ComputeGroup"/>).</summary>
        internal static void ComputeHeads<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, bool floatRows)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int queryCount = group.QueryCount, keyCount = group.KeyCount, rowStride = group.QueryRowStride;
            bool floatQuery = typeof(TQuery) == typeof(float) && rowStride == D;
            bool floatOutput = typeof(TOutput) == typeof(float) && rowStride == D;
            float[]? keyBuffer = null, valueBuffer = null, queryBuffer = null, outputBuffer = null;
            try
            {
                ReadOnlySpan<float> keys, values;
                if (floatRows)
                {
                    keys = MemoryMarshal.Cast<TKeyValue, float>(group.Key).Slice(0, keyCount * D);
                    values = MemoryMarshal.Cast<TKeyValue, float>(group.Value).Slice(0, keyCount * D);
                }
                else
                {
                    keyBuffer = ArrayPool<float>.Shared.Rent(Math.Max(1, keyCount * D));
                    valueBuffer = ArrayPool<float>.Shared.Rent(Math.Max(1, keyCount * D));
                    ElementTypes.WidenRows(group.Key, 0, group.KeyRowStride, keyCount, D, keyBuffer);
                    ElementTypes.WidenRows(group.Value, 0, group.KeyRowStride, keyCount, D, valueBuffer);
                    keys = keyBuffer.AsSpan(0, keyCount * D);
                    values = valueBuffer.AsSpan(0, keyCount * D);
                }

                queryBuffer = floatQuery ? null : ArrayPool<float>.Shared.Rent(queryCount * D);
                outputBuffer = floatOutput ? null : ArrayPool<float>.Shared.Rent(queryCount * D);
                for (int head = 0; head < group.Heads; head++)
                {
                    int offset = head * group.QueryHeadStride;
                    ReadOnlySpan<float> query;
                    if (queryBuffer is null)
                    {
                        query = MemoryMarshal.Cast<TQuery, float>(group.Query).Slice(offset, queryCount * D);
                    }
                    else
                    {
                        ElementTypes.WidenRows(group.Query, offset, rowStride, queryCount, D, queryBuffer);
                        query = queryBuffer.AsSpan(0, queryCount * D);
                    }

                    Span<float> output = outputBuffer is null ? MemoryMarshal.Cast<TOutput, float>(group.Output).Slice(offset, queryCount * D) : outputBuffer.AsSpan(0, queryCount * D);
                    Span<float> logSumExp = group.LogSumExp.IsEmpty ? default : group.LogSumExp.Slice(head * group.LogSumExpHeadStride, queryCount);
                    AttentionEngine<TPath, TMask, TScore>.Compute(query, keys, values, output, logSumExp, group.Masks, in group.Scores[head]);
                    if (outputBuffer is not null)
                    {
                        ElementTypes.NarrowRows<TOutput>(output, group.Output, offset, rowStride, queryCount, D);
                    }
                }
            }
            finally
            {
                Return(outputBuffer);
                Return(queryBuffer);
                Return(valueBuffer);
                Return(keyBuffer);
            }
        }

        internal static void Return(float[]? buffer)
        {
            if (buffer is not null)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }
}
