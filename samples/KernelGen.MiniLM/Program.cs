using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using KernelGen.MiniLM;

// dotnet run --project samples/KernelGen.MiniLM -c Release -- --check ["sentence" ...]   C# encoder vs ONNX Runtime
// dotnet run --project samples/KernelGen.MiniLM -c Release -- --bench                    sentences per second, 1 and 2 threads
// dotnet run --project samples/KernelGen.MiniLM -c Release -- --tokens ["sentence" ...]  the word pieces of each sentence
// Options: --threads N (check only; default: the processor count). Exit code: 0 all pass, 1 a mismatch, 2 usage.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string mode = args.Length > 0 ? args[0] : "--check";
int threads = Environment.ProcessorCount;
var sentences = new List<string>();
for (int index = 1; index < args.Length; index++)
{
    if (args[index] == "--threads" && index + 1 < args.Length && int.TryParse(args[index + 1], out int parsed) && parsed >= 1)
    {
        threads = parsed;
        index++;
    }
    else
    {
        sentences.Add(args[index]);
    }
}

switch (mode)
{
    case "--check":
        return MiniLMRuns.Check(sentences.Count > 0 ? sentences : SampleSentences.All, threads);
    case "--bench" or "--time":
        return MiniLMRuns.Bench(SampleSentences.All);
    case "--tokens":
        return MiniLMRuns.Tokens(sentences.Count > 0 ? sentences : SampleSentences.All);
    default:
        Console.Error.WriteLine($"Unknown mode '{mode}'; use --check [\"sentence\" ...] [--threads N], --bench or --tokens [\"sentence\" ...].");
        return 2;
}
