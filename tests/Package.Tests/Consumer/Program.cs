// A user's program that knows KernelGen only through its NuGet package. The package tests copy it into a fresh
// console project, build it (JIT) and publish it (NativeAOT), run it, and expect exit code 0.
using System;
using System.Runtime.Intrinsics;
using KernelGen;

double worst = 0;
worst = Math.Max(worst, Check(new AttentionSpec(64, window: new AttentionWindow(16, 16), globalPositions: new[] { 0, 1, 2 }), Kernels.Longformer, 300, 300));
worst = Math.Max(worst, Check(new AttentionSpec(80, causal: true), Kernels.Decoder, 65, 129));
worst = Math.Max(worst, Check(new AttentionSpec(3, scale: 0.5f), Kernels.Tiny, 17, 5));

Console.WriteLine($"vector512={Vector512.IsHardwareAccelerated} vector256={Vector256.IsHardwareAccelerated} max-abs-error={worst:E2}");
Console.WriteLine(worst <= 1e-4 ? "KERNELGEN-CONSUMER-OK" : "KERNELGEN-CONSUMER-MISMATCH");
return worst <= 1e-4 ? 0 : 1;

static double Check(AttentionSpec spec, Kernel kernel, int queries, int keys)
{
    var random = new Random(queries * 31 + keys);
    float[] q = Fill(random, queries * spec.HeadDimension);
    float[] k = Fill(random, keys * spec.HeadDimension);
    float[] v = Fill(random, keys * spec.HeadDimension);
    float[] output = new float[q.Length];
    double[] expected = new double[q.Length];
    kernel(q, k, v, output);
    ReferenceAttention.Compute(spec, q, k, v, expected);
    double max = 0;
    for (int i = 0; i < output.Length; i++)
    {
        max = Math.Max(max, Math.Abs(output[i] - expected[i]));
    }

    return max;
}

static float[] Fill(Random random, int length)
{
    float[] data = new float[length];
    for (int i = 0; i < length; i++)
    {
        data[i] = (float)(random.NextDouble() * 2 - 1);
    }

    return data;
}

delegate void Kernel(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

/// <summary>Kernels declared the way the README shows.</summary>
public static partial class Kernels
{
    /// <summary>Encoder attention: 16 keys either side plus global tokens.</summary>
    [AttentionKernel(64)]
    [SlidingWindow(16)]
    [GlobalTokens(0, 1, 2)]
    public static partial void Longformer(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

    /// <summary>Causal decoder attention.</summary>
    [AttentionKernel(80)]
    [CausalMask]
    public static partial void Decoder(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

    /// <summary>A tiny head dimension with a custom scale.</summary>
    [AttentionKernel(3, Scale = 0.5f)]
    public static partial void Tiny(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);
}
