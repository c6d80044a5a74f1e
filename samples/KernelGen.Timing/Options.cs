using System;
using System.Globalization;

namespace KernelGen.Timing
{
    /// <summary>The command line: a kernel name and a few options (Usage lists them).</summary>
    internal sealed class Options
    {
        public const string Usage = """
            usage: dotnet run -c Release --project samples/KernelGen.Timing -- <Method> [options]
                   dotnet run -c Release --project samples/KernelGen.Timing -- --list
              <Method>      an [AttentionKernel] method declared in this project (Kernels.cs), or Type.Method
              --nq N        query rows per head and item (default 1024; 1 times a decode step)
              --nk N        key rows per head and item (default: --nq)
              --batch B     batch items, for batched kernels (default 1)
              --threads T   AttentionThreading.MaxDegreeOfParallelism (default: the runtime's, the processor count)
              --runs R      timed runs of about 100 ms each (default 10)
              --no-check    skip the check against ReferenceAttention
            """;

        public string? Kernel { get; private set; }

        public bool List { get; private set; }

        public int Queries { get; private set; } = 1024;

        public int Keys { get; private set; } = -1;

        public int Batch { get; private set; } = 1;

        public int? Threads { get; private set; }

        public int Runs { get; private set; } = 10;

        public bool Check { get; private set; } = true;

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--list": options.List = true; break;
                    case "--no-check": options.Check = false; break;
                    case "--nq": options.Queries = Number(args, ++i, min: 1); break;
                    case "--nk": options.Keys = Number(args, ++i, min: 1); break;
                    case "--batch": options.Batch = Number(args, ++i, min: 1); break;
                    case "--threads": options.Threads = Number(args, ++i, min: 1); break;
                    case "--runs": options.Runs = Number(args, ++i, min: 1); break;
                    case string name when !name.StartsWith('-') && options.Kernel is null: options.Kernel = name; break;
                    default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }

            if (options.Keys < 0)
            {
                options.Keys = options.Queries;
            }

            return options;
        }

        private static int Number(string[] args, int index, int min)
        {
            if (index >= args.Length || !int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min)
            {
                throw new ArgumentException($"{args[index - 1]} takes a whole number of at least {min}.");
            }

            return value;
        }
    }
}
