using System;
using KernelGen.Samples;

// dotnet run --project samples/KernelGen.Samples -c Release [-- models | longformer | decoder | batched]
// With no argument every sample runs. Each one checks its results against the double-precision reference and the
// process exits with 1 if any result is off by more than 1e-4.
string which = args.Length > 0 ? args[0] : "all";
Console.WriteLine($"KernelGen samples. Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, " +
    $"Vector256: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}");

bool ok = true;
bool ran = false;
if (which is "all" or "models")
{
    ok &= ModelsSample.Run();
    ran = true;
}

if (which is "all" or "longformer")
{
    ok &= LongformerSample.Run();
    ran = true;
}

if (which is "all" or "decoder")
{
    ok &= DecoderSample.Run();
    ran = true;
}

if (which is "all" or "batched")
{
    ok &= BatchedSample.Run();
    ran = true;
}

if (!ran)
{
    Console.Error.WriteLine($"Unknown sample '{which}'; use models, longformer, decoder or batched.");
    return 2;
}

Console.WriteLine();
Console.WriteLine(ok ? "All results match the reference." : "MISMATCH: a kernel differs from the reference.");
return ok ? 0 : 1;
