using System;
using System.Diagnostics;
using KernelGen;
using KernelGen.Samples;

Console.WriteLine("KernelGen sample: generated kernels checked against the double-precision reference.");
Console.WriteLine($"Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}");
Console.WriteLine();
Console.WriteLine($"{"kernel",-34} {"Nq",6} {"Nk",6} {"max abs error",14} {"ms per call",12}");

bool ok = true;
ok &= Run("Longformer encoder (w16 + globals)", ModelKernels.LongformerEncoder, new AttentionSpec(64, window: new AttentionWindow(16, 16), globalPositions: new[] { 0, 1, 2, 3, 4, 5, 6, 7 }), 4096, 4096);
ok &= Run("Causal decoder, prefill", ModelKernels.CausalDecoder, new AttentionSpec(128, causal: true), 1024, 1024);
ok &= Run("Causal decoder, decode step", ModelKernels.CausalDecoder, new AttentionSpec(128, causal: true), 1, 4096);
ok &= Run("Mistral decoder (w4096), decode", ModelKernels.MistralDecoder, new AttentionSpec(128, causal: true, window: new AttentionWindow(4096, 0)), 1, 8192);

Console.WriteLine();
Console.WriteLine(ok ? "All kernels match the reference." : "MISMATCH: a kernel differs from the reference.");
return ok ? 0 : 1;

static bool Run(string name, Kernel kernel, AttentionSpec spec, int queryCount, int keyCount)
{
    int d = spec.HeadDimension;
    var random = new Random(42);
    float[] query = Fill(random, queryCount * d);
    float[] key = Fill(random, keyCount * d);
    float[] value = Fill(random, keyCount * d);
    float[] output = new float[queryCount * d];

    kernel(query, key, value, output); // warm-up (JIT)
    int calls = 0;
    var clock = Stopwatch.StartNew();
    do
    {
        kernel(query, key, value, output);
        calls++;
    }
    while (clock.ElapsedMilliseconds < 300);
    double msPerCall = clock.Elapsed.TotalMilliseconds / calls;

    double[] expected = new double[output.Length];
    ReferenceAttention.Compute(spec, query, key, value, expected);
    double maxError = 0;
    for (int i = 0; i < output.Length; i++)
    {
        maxError = Math.Max(maxError, Math.Abs(output[i] - expected[i]));
    }

    Console.WriteLine($"{name,-34} {queryCount,6} {keyCount,6} {maxError,14:E2} {msPerCall,12:F3}");
    return maxError <= 1e-4;
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
