using System;
using System.Linq;
using BenchmarkDotNet.Running;
using KernelGen.Bench;

// dotnet run -c Release --project bench/KernelGen.Bench -- --filter '*' --job short   (all benchmarks, short job)
// dotnet run -c Release --project bench/KernelGen.Bench -- --check                     (peers and kernels vs the reference)
if (args.Contains("--check"))
{
    return Check.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(AttentionBenchmarks).Assembly).Run(args);
return 0;
