using System;
using KernelGen;

// Calls each kernel once so NativeAOT compiles its engine instantiations (and prints their listings while publishing).
float[] q = new float[64 * 128], k = new float[64 * 128], v = new float[64 * 128], o = new float[64 * 128];
ListingKernels.Full128(q, k, v, o);
ListingKernels.Causal128(q, k, v, o);
Console.WriteLine(o[0]);

internal static partial class ListingKernels
{
    [AttentionKernel(128)]
    public static partial void Full128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

    [AttentionKernel(128)]
    [CausalMask]
    public static partial void Causal128(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);
}
