// Kernels with score modifiers (issue 13): softcap, ALiBi, additive bias, sinks, a run-time scale, and packed batches
// whose items have different query and key lengths, each over a spread of masks and with the other run-time
// parameters. ScoreTests runs them against the reference.
using System;

namespace KernelGen.Kernels.Tests
{
    public static partial class ScoreKernels
    {
        // Single-head with a run-time scale (its only run-time parameter), over a window with global tokens.
        [AttentionKernel(37)]
        [SlidingWindow(40, 5)]
        [GlobalTokens(0, 7)]
        public static partial void Single_RuntimeScale_WindowGlobals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output,
            float scale);

        // Single-head: softcap and a run-time scale, causal.
        [AttentionKernel(64)]
        [CausalMask]
        [Softcap(1.5f)]
        public static partial void Single_SoftcapScale_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output,
            float scale);

        [AttentionKernel(16, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        [Alibi]
        public static partial void Alibi_Causal_Lengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths, Span<float> logSumExp);

        // Six heads: not a power of two, so the standard slopes interleave; and per-call slopes.
        [AttentionKernel(24, Heads = 6)]
        [SlidingWindow(30, 10)]
        [GlobalTokens(0, 3)]
        [Alibi]
        public static partial void Alibi_WindowGlobals_Slopes(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            Span<float> logSumExp, ReadOnlySpan<float> alibiSlopes);

        [AttentionKernel(24, Heads = 6)]
        [SlidingWindow(30, 10)]
        [GlobalTokens(0, 3)]
        [Alibi]
        public static partial void Alibi_WindowGlobals(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            Span<float> logSumExp);

        [AttentionKernel(16, Heads = 2)]
        public static partial void Bias_Full_Masks(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, Span<float> logSumExp, ReadOnlySpan<float> bias);

        [AttentionKernel(32, Heads = 4, KeyValueHeads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BiasSinks_Causal_Bhsd_Lengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths, Span<float> logSumExp, ReadOnlySpan<float> bias, ReadOnlySpan<float> sinks);

        // BiasSinks_Causal_Bhsd_Lengths with its run-time parameters in reverse order (bound by name), then under names of
        // the user's choosing (bound by attribute): two int spans and two float spans trade places, so a parameter passed
        // by position instead of by its binding gives the wrong lengths or bias, and the reference comparison fails.
        [AttentionKernel(32, Heads = 4, KeyValueHeads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BiasSinks_Causal_Bhsd_Lengths_Reversed(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<float> sinks, ReadOnlySpan<float> bias, Span<float> logSumExp, ReadOnlySpan<int> queryLengths, ReadOnlySpan<int> keyLengths);

        [AttentionKernel(32, Heads = 4, KeyValueHeads = 1, Layout = AttentionLayout.BatchHeadSeqDim)]
        [CausalMask]
        public static partial void BiasSinks_Causal_Bhsd_Lengths_Attributes(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int items,
            [QueryLengths] ReadOnlySpan<int> validQueries, [Bias] ReadOnlySpan<float> positionBias, [KeyLengths] ReadOnlySpan<int> validKeys, [Sinks] ReadOnlySpan<float> sinkLogits,
            [LogSumExp] Span<float> lse);

        [AttentionKernel(64, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        [SlidingWindow(40, 0)]
        public static partial void Sinks_CausalWindow_KeyLengths(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, Span<float> logSumExp, ReadOnlySpan<float> sinks);

        // keyMask alone with sinks: the engine gathers the kept keys (sinks change no score, so it may).
        [AttentionKernel(16, Heads = 2)]
        public static partial void Sinks_KeyMask(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<bool> keyMask, Span<float> logSumExp, ReadOnlySpan<float> sinks);

        [AttentionKernel(16, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        public static partial void PackedPair_Causal(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            Span<float> logSumExp, ReadOnlySpan<int> querySequenceStarts, ReadOnlySpan<int> keySequenceStarts);

        [AttentionKernel(32, Heads = 4)]
        [CausalMask]
        [SlidingWindow(50, 0)]
        [Softcap(3f)]
        [Alibi]
        public static partial void PackedPair_Everything(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            Span<float> logSumExp, ReadOnlySpan<int> querySequenceStarts, ReadOnlySpan<int> keySequenceStarts, float scale, ReadOnlySpan<float> sinks);

        // Every static mask part, every run-time mask, every score term.
        [AttentionKernel(24, Heads = 4, KeyValueHeads = 2)]
        [CausalMask]
        [SlidingWindow(40, 3)]
        [GlobalTokens(0, 2)]
        [Softcap(2f)]
        [Alibi]
        public static partial void Everything(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask, Span<float> logSumExp,
            float scale, ReadOnlySpan<float> alibiSlopes, ReadOnlySpan<float> bias, ReadOnlySpan<float> sinks);

        // Softcap alone (batched, full mask, d = 128 as in the benchmark), and with long rows split into key chunks.
        [AttentionKernel(128, Heads = 2)]
        [Softcap(2f)]
        public static partial void Softcap_Full(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch,
            Span<float> logSumExp);
    }
}
