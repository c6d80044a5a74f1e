using System;
using System.Linq;
using BenchmarkDotNet.Running;
using KernelGen.WideningBench;

// dotnet run -c Release --project bench/KernelGen.WideningBench -- --filter '*' --job short
// dotnet run -c Release --project bench/KernelGen.WideningBench -- --check   (ours against TensorPrimitives, bit for bit)
if (args.Contains("--check"))
{
    return WideningBenchmarks.Check();
}

BenchmarkSwitcher.FromAssembly(typeof(WideningBenchmarks).Assembly).Run(args);
return 0;
