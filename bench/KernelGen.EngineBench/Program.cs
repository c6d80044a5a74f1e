using System;
using System.Linq;
using BenchmarkDotNet.Running;
using KernelGen.EngineBench;

// dotnet run -c Release --project bench/KernelGen.EngineBench -- --filter '*' --job short
// dotnet run -c Release --project bench/KernelGen.EngineBench -- --shares      (the pair shares the run-time masks keep)
// dotnet run -c Release --project bench/KernelGen.EngineBench -- --score-ratios  (issue 13's ratios, interleaved medians)
// dotnet run -c Release --project bench/KernelGen.EngineBench -- --gqa-decode    (issue 14's GQA decode table, interleaved medians)
// dotnet run -c Release --project bench/KernelGen.EngineBench -- --builds [name]  (fixed calls for comparing two builds: bench/ab.sh)
if (args.Contains("--builds"))
{
    int at = Array.IndexOf(args, "--builds");
    BuildComparison.Run(at + 1 < args.Length ? args[at + 1] : null);
    return 0;
}

if (args.Contains("--shares"))
{
    (double keyMask, double documents) = BatchedEngineBenchmarks.KeptShares();
    Console.WriteLine($"keyMask keeps {keyMask:P2} of the causal pairs; the 4-document mask keeps {documents:P2}");
    return 0;
}

if (args.Contains("--score-ratios"))
{
    // Issue 13's ratios measured interleaved (plain, modified, plain, modified, ...) so drift between BenchmarkDotNet's
    // runs of separate methods (this kernel's time wanders by 10% on L3-bound machines) cancels out.
    ScoreBenchmarks.PrintInterleavedRatios(rounds: 15);
    return 0;
}

// dotnet run -c Release --project bench/KernelGen.EngineBench -- --decode-cache  (single-head decode per key, in L2 and past L3, interleaved)
if (args.Contains("--decode-cache"))
{
    StorageBenchmarks.PrintDecodeTable(rounds: 9);
    return 0;
}

// dotnet run -c Release --project bench/KernelGen.EngineBench -- --short-decode [Nk ...] [single|GQA]  (issue 25: 16-bit decode over short caches, ratios to float32 per round)
if (args.Contains("--short-decode"))
{
    int at = Array.IndexOf(args, "--short-decode");
    int[] keys = args.Skip(at + 1).TakeWhile(static a => int.TryParse(a, out _)).Select(int.Parse).ToArray();
    string? shape = args.Skip(at + 1 + keys.Length).FirstOrDefault(); // optional: "single" or "GQA"
    int rounds = Environment.GetEnvironmentVariable("KERNELGEN_ROUNDS") is { } text ? int.Parse(text) : 15; // more rounds for a profile
    ShortDecodeBenchmarks.PrintTable(rounds, keys.Length > 0 ? keys : null, shape);
    return 0;
}

if (args.Contains("--gqa-decode"))
{
    int at = Array.IndexOf(args, "--gqa-decode");
    string? cache = at + 1 < args.Length ? args[at + 1] : null; // optional: float32, f16 or bf16 only
    if (cache is not null and not ("float32" or "f16" or "bf16"))
    {
        Console.Error.WriteLine($"--gqa-decode takes float32, f16 or bf16 (or nothing for all three), not '{cache}'.");
        return 2;
    }

    GqaDecodeBenchmarks.PrintTable(rounds: 15, cache: cache);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(SingleHeadBenchmarks).Assembly).Run(args);
return 0;
