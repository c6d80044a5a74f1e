using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    // Finishing rows: out = acc / sum with the sink's term, and the log-sum-exp.
    internal abstract partial class EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        /// <summary>The log-sum-exp of a row that sees no key: ln e^sink = sink with a sink, -inf without.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float EmptyRowLogSumExp(in ScoreState score) => TScore.HasSink ? score.Sink : float.NegativeInfinity;

        /// <summary>
        /// Writes a finished row: out = acc / sum and its log-sum-exp, with the sink (when the kernel has one) joining the
        /// denominator as e^sink. Rescaled to M = max(m, sink) so neither term overflows: sum' = sum e^(m - M) + e^(sink - M),
        /// out = acc e^(m - M) / sum', log-sum-exp = M + ln sum'. A row that saw no key is zeros (log-sum-exp: the sink).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void FinishRow(Span<float> accumulator, float runningMax, float runningSum, Span<float> destination, Span<float> logSumExp, int row,
            in ScoreState score)
        {
            OnlineSoftmax.NoteIfNonFinite(runningMax, runningSum);
            if (TScore.HasSink && runningSum > 0f)
            {
                FinishRowWithSink(accumulator, runningMax, runningSum, destination, logSumExp, row, score);
                return;
            }

            OnlineSoftmax.Normalize(accumulator, runningSum, destination);
            if (!logSumExp.IsEmpty)
            {
                logSumExp[row] = TScore.HasSink && runningSum == 0f ? score.Sink : OnlineSoftmax.LogSumExp(runningMax, runningSum);
            }
        }

        /// <summary>
        /// <see cref="FinishRow"/> for a row whose sink joins the denominator. Out of line: the JIT inlines into a branch
        /// before folding it, so inside FinishRow this body (two exponentials and a logarithm) was compiled into, then
        /// dropped from, the tile loop of every kernel without a sink (bench/RESULTS.md, "First call"). Once per row.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void FinishRowWithSink(Span<float> accumulator, float runningMax, float runningSum, Span<float> destination, Span<float> logSumExp, int row,
            in ScoreState score)
        {
            float sink = score.Sink;
            float top = MathF.Max(runningMax, sink);
            float keep = ExpOp.Invoke(runningMax - top);
            float total = runningSum * keep + ExpOp.Invoke(sink - top);
            // keep may underflow to 0 (the sink outweighs every key by e^87): the weights are then 0 and so is the row.
            OnlineSoftmax.Normalize(accumulator, keep > 0f ? total / keep : float.PositiveInfinity, destination);
            if (!logSumExp.IsEmpty)
            {
                logSumExp[row] = top + MathF.Log(total);
            }
        }

        /// <summary>Writes query row <paramref name="row"/> of every head of the group: its output (rounded once for a 16-bit output) and log-sum-exp.</summary>
        internal static void FinishHeads<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group, int row, Span<float> accumulators,
            Span<float> maxima, Span<float> sums, Span<float> finished)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            for (int head = 0; head < group.Heads; head++)
            {
                Span<float> logSumExp = group.LogSumExp.IsEmpty ? default : group.LogSumExp.Slice(head * group.LogSumExpHeadStride, group.QueryCount);
                FinishRow(accumulators.Slice(head * D, D), maxima[head], sums[head], finished, logSumExp, row, group.Scores[head]);
                ElementTypes.NarrowRows(finished, group.Output, head * group.QueryHeadStride + row * group.QueryRowStride, D, 1, D);
            }
        }
    }
}
