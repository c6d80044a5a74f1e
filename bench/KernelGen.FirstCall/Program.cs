using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace KernelGen.FirstCall
{
    /// <summary>
    /// <c>[--processes 5] [--threads 1] [--shapes 0,1,2,3] [--steady 1]</c>: that many fresh processes per shape, each
    /// timing one shape (<see cref="Child"/>), then medians and ranges across them. <c>--jit-list shape</c>: the methods
    /// the JIT compiled during call 1 (DOTNET_JitDisasmSummary); <c>--jit-phases shape [--top 12]</c>: the JIT's heaviest methods and phases in call 1 (DOTNET_JitTimeLogCsv). The environment (DOTNET_TieredCompilation, the ISA
    /// switches) passes on to the children.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var options = new Dictionary<string, string>();
            for (int i = 0; i + 1 < args.Length; i += 2)
            {
                options[args[i]] = args[i + 1];
            }

            int threads = int.Parse(options.GetValueOrDefault("--threads", "1"), CultureInfo.InvariantCulture);
            if (options.TryGetValue("--child", out string? child))
            {
                Child.Run(int.Parse(child, CultureInfo.InvariantCulture), threads, double.Parse(options.GetValueOrDefault("--steady", "1"), CultureInfo.InvariantCulture));
                return 0;
            }

            if (options.TryGetValue("--jit-phases", out string? timed))
            {
                JitPhases.Print(int.Parse(timed, CultureInfo.InvariantCulture), threads, int.Parse(options.GetValueOrDefault("--top", "12"), CultureInfo.InvariantCulture));
                return 0;
            }

            if (options.TryGetValue("--jit-list", out string? listed))
            {
                JitListing.Print(int.Parse(listed, CultureInfo.InvariantCulture), threads);
                return 0;
            }

            int processes = int.Parse(options.GetValueOrDefault("--processes", "5"), CultureInfo.InvariantCulture);
            int[] shapes = options.GetValueOrDefault("--shapes", "0,1,2,3").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            string steady = options.GetValueOrDefault("--steady", "1");
            Console.WriteLine($"{Environment.ProcessPath} | {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} | Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated} | threads {threads} | {processes} fresh processes per shape; ms; steady = calls 11.. for >= {steady} s");
            Console.WriteLine($"{"shape",-30} {"call 1",14} {"call 2",14} {"3-10 mean",14} {"steady med",14} {"3-10/steady",12} {"JIT methods",12} {"JIT IL B",9} {"JIT ms",12} {"CPU ms call 1",14}");
            foreach (int shape in shapes)
            {
                var runs = new List<double[]>();
                for (int process = 0; process < processes; process++)
                {
                    runs.Add(Parse(RunChild(new[] { "--child", shape.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture), "--steady", steady }, null)));
                }

                string Column(int field, string format, int width) => Spread(runs.Select(r => r[field]), format).PadLeft(width);
                double[] ratios = runs.Select(r => r[2] / r[4]).ToArray();
                Console.WriteLine($"{Shape.All[shape].Name,-30} {Column(0, "F1", 14)} {Column(1, "F2", 14)} {Column(2, "F3", 14)} {Column(4, "F3", 14)} {Spread(ratios, "F2"),12} {Column(7, "F0", 12)} {Column(8, "F0", 9)} {Column(9, "F1", 12)} {Column(12, "F1", 14)}");
                foreach (double[] run in runs)
                {
                    Console.WriteLine("    " + string.Join(" ", Child.Fields.Zip(run, (name, value) => $"{name}={value.ToString("G4", CultureInfo.InvariantCulture)}")));
                }
            }

            return 0;
        }

        /// <summary>"median (min-max)".</summary>
        private static string Spread(IEnumerable<double> values, string format)
        {
            double[] sorted = values.OrderBy(x => x).ToArray();
            double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
            return sorted.Length == 1
                ? median.ToString(format, CultureInfo.InvariantCulture)
                : $"{median.ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}-{sorted[^1].ToString(format, CultureInfo.InvariantCulture)})";
        }

        private static double[] Parse(string line) =>
            line.Trim().Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();

        /// <summary>Runs this program again in a fresh process (through the dotnet host when that is how it was started); returns its output.</summary>
        public static string RunChild(IEnumerable<string> arguments, IDictionary<string, string>? environment)
        {
            string self = Environment.ProcessPath!;
            var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
            if (System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]); // the .dll the host was given
            }

            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            foreach (KeyValuePair<string, string> variable in environment ?? new Dictionary<string, string>())
            {
                start.Environment[variable.Key] = variable.Value;
            }

            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"child exited with {process.ExitCode}: {output}");
            }

            return output;
        }
    }
}
