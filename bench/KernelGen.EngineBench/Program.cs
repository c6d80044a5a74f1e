using System;
using System.Linq;
using BenchmarkDotNet.Running;
using KernelGen.EngineBench;

// dotnet run -c Release --project bench/KernelGen.EngineBench -- --filter '*' --job short
// dotnet run -c Release --project bench/KernelGen.EngineBench -- --shares      (the pair shares the run-time masks keep)
if (args.Contains("--shares"))
{
    (double keyMask, double documents) = BatchedEngineBenchmarks.KeptShares();
    Console.WriteLine($"keyMask keeps {keyMask:P2} of the causal pairs; the 4-document mask keeps {documents:P2}");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(SingleHeadBenchmarks).Assembly).Run(args);
return 0;
