using System;
using System.Linq;
using BenchmarkDotNet.Running;
using KernelGen.Bench;

// dotnet run -c Release --project bench/KernelGen.Bench -- --filter '*' --job short   (all benchmarks, short job)
// dotnet run -c Release --project bench/KernelGen.Bench -- --check                     (peers and kernels vs the reference)
// dotnet run -c Release --project bench/KernelGen.Bench -- --prefill-peers             (KernelGen vs SDPA prefill, interleaved)
if (args.Contains("--prefill-peers"))
{
    PrefillPeers.PrintTable();
    return 0;
}

// dotnet run -c Release --project bench/KernelGen.Bench -- --n-scaling [N,N,..]        (issue 12: full mask, time per pair, N = 512 .. 32768)
if (args.Contains("--n-scaling"))
{
    NScaling.PrintTable(args);
    return 0;
}

// dotnet run -c Release --project bench/KernelGen.Bench -- --early-calls               (issue 12: calls 1, 2, 3-10 and steady, 5 fresh processes)
if (args.Contains("--early-calls"))
{
    EarlyCalls.PrintTable();
    return 0;
}

if (args.Contains("--early-calls-child"))
{
    EarlyCalls.RunChild(int.Parse(args[Array.IndexOf(args, "--early-calls-child") + 1], System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

// dotnet run -c Release --project bench/KernelGen.Bench -- --sixteen-bit               (issue 14: f16/bf16 against SDPA, interleaved)
if (args.Contains("--sixteen-bit"))
{
    SixteenBitBenchmarks.PrintTable();
    return 0;
}

if (args.Contains("--check"))
{
    return Check.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(AttentionBenchmarks).Assembly).Run(args);
return 0;
