using System.Linq;
using BenchmarkDotNet.Running;
using KernelGen.MiniLMBench;

// dotnet run -c Release --project bench/KernelGen.MiniLMBench -- --filter '*' --job short
// dotnet run -c Release --project bench/KernelGen.MiniLMBench -- --check   (both products against a double reference)
if (args.Contains("--check"))
{
    return MatrixMultiplyBenchmarks.Check();
}

BenchmarkSwitcher.FromAssembly(typeof(MatrixMultiplyBenchmarks).Assembly).Run(args);
return 0;
