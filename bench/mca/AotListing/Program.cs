using System;
using KernelGen;

// Calls each kernel once so NativeAOT compiles its engine instantiations (and prints their listings while publishing):
// prefill tiles (Full128, Causal128), single rows (a one-row call), the grouped-query decode tiles over float and f16
// caches. The names the listing holds are the csproj's JitDisasm list.
float[] q = new float[64 * 128], k = new float[64 * 128], v = new float[64 * 128], o = new float[64 * 128];
ListingKernels.Full128(q, k, v, o);
ListingKernels.Causal128(q, k, v, o);
ListingKernels.Causal128(q.AsSpan(0, 128), k, v, o.AsSpan(0, 128)); // one query row: the single-row loop
float[] gq = new float[32 * 128], go = new float[32 * 128], gk = new float[8 * 64 * 128];
ListingKernels.GqaDecode128(gq, gk, gk, go, 1);
Half[] hk = new Half[8 * 64 * 128];
ListingKernels.GqaDecodeHalf128(gq, hk, hk, go, 1);
Console.WriteLine(o[0] + go[0]);

internal static partial class ListingKernels
{
    [AttentionKernel(128)]
    public static partial void Full128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

    [AttentionKernel(128)]
    [CausalMask]
    public static partial void Causal128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

    [AttentionKernel(128, Heads = 32, KeyValueHeads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
    [CausalMask]
    public static partial void GqaDecode128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int batch);

    [AttentionKernel(128, Heads = 32, KeyValueHeads = 8, Layout = AttentionLayout.BatchHeadSeqDim)]
    [CausalMask]
    public static partial void GqaDecodeHalf128(ReadOnlySpan<float> query, ReadOnlySpan<Half> key, ReadOnlySpan<Half> value, Span<float> output, int batch);
}
