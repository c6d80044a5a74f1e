// Times one attention kernel declared in this project (Kernels.cs): dotnet run -c Release -- <Method> --nq 1024 --nk 1024.
// Prints the machine, the median time per call and its spread, GFLOP/s over the visible pairs, and a check against
// ReferenceAttention; exits 1 when the check fails. README, "Timing your own kernel".
using System;
using System.Linq;
using KernelGen;
using KernelGen.Timing;

Options options;
DeclaredKernel kernel;
try
{
    options = Options.Parse(args);
    if (options.List || options.Kernel is null)
    {
        Console.WriteLine(options.List ? "kernels declared in this project:" : Options.Usage + "\nkernels declared in this project:");
        foreach (var method in DeclaredKernel.FindAll())
        {
            Console.WriteLine($"  {method.DeclaringType!.Name}.{method.Name}");
        }

        return options.List ? 0 : 2;
    }

    kernel = DeclaredKernel.Find(options.Kernel);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

if (options.Threads is int threads)
{
    AttentionThreading.MaxDegreeOfParallelism = threads;
}

int batch = kernel.Batched ? options.Batch : 1;
long pairsPerHead = kernel.VisiblePairs(options.Queries, options.Keys);
long pairs = pairsPerHead * kernel.Heads * batch;
Console.WriteLine($"kernel   {kernel.Name}: {kernel.Describe()}");
Console.WriteLine($"shape    Nq = {options.Queries}, Nk = {options.Keys}" + (kernel.Batched ? $", batch = {batch}" : string.Empty) +
    $"; visible pairs {pairs:N0} ({100.0 * pairsPerHead / ((double)options.Queries * options.Keys):F1}% of each head's Nq x Nk)");
Console.WriteLine($"machine  {MachineInfo.Cpu()}");
Console.WriteLine($"path     {MachineInfo.VectorPath()}; up to {AttentionThreading.MaxDegreeOfParallelism} threads per call");

TimingResult result = KernelTimer.Run(kernel, options);
double[] sorted = result.MillisecondsPerCall.Order().ToArray();
double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
// Flops per visible pair: d multiply-adds for the score and d for the weighted value, 2 flops each.
double gflops = 4.0 * kernel.Spec.HeadDimension * pairs / (median * 1e-3) / 1e9;
Console.WriteLine($"time     median {Ms(median)} per call over {sorted.Length} runs of {result.CallsPerRun} calls " +
    $"(min {Ms(sorted[0])}, max {Ms(sorted[^1])}; spread {100 * (sorted[^1] - sorted[0]) / median:F1}% of the median)");
Console.WriteLine($"speed    {gflops:F1} GFLOP/s (4 d flop per visible pair)");

bool ok = double.IsNaN(result.MaxError) || result.MaxError <= result.Tolerance;
Console.WriteLine(double.IsNaN(result.MaxError)
    ? $"check    {result.CheckedRows}"
    : $"check    max abs error {result.MaxError:E1} against ReferenceAttention over {result.CheckedRows} (bound {result.Tolerance:E0}): {(ok ? "OK" : "MISMATCH")}");
return ok ? 0 : 1;

static string Ms(double milliseconds) => milliseconds >= 1 ? $"{milliseconds:F3} ms" : $"{milliseconds * 1000:F2} us";
