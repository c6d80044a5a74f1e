using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using KernelGen.EngineBench;

namespace KernelGen.Bench
{
    /// <summary>
    /// Issue 12's stability line: does a generated kernel run at full speed from its first calls, and is its steady speed
    /// the same from one process to the next? <c>--early-calls</c> starts <see cref="Processes"/> fresh processes of
    /// this program (<c>--early-calls-child</c>), each timing one shape's calls one by one under whatever tiering the
    /// environment sets (default: tiered with PGO): call 1, call 2, calls 3-10, and the steady state (calls 11 onward
    /// for at least 3 s: median and minimum). One thread, float32, d = 128, inputs uniform in [-1, 1).
    /// </summary>
    public static class EarlyCalls
    {
        private const int Processes = 5;

        private static readonly (string Name, int N, Action<float[], float[], float[], float[]> Kernel)[] Shapes =
        {
            ("full, N = 512", 512, (q, k, v, o) => BenchKernels.Full128(q, k, v, o)),
            ("full, N = 1024", 1024, (q, k, v, o) => BenchKernels.Full128(q, k, v, o)),
            ("causal, N = 1024", 1024, (q, k, v, o) => BenchKernels.Causal128(q, k, v, o)),
        };

        public static void PrintTable()
        {
            string self = Environment.ProcessPath!;
            string dll = typeof(EarlyCalls).Assembly.Location;
            bool viaHost = System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet";
            Console.WriteLine($"{Processes} fresh processes per shape; ms; steady = calls 11.. for >= 3 s");
            Console.WriteLine($"{"shape",-18} {"process",7} {"call 1",8} {"call 2",8} {"3-10 mean",10} {"steady med",11} {"steady min",11} {"med/min",8} {"3-10/med",9}");
            for (int shape = 0; shape < Shapes.Length; shape++)
            {
                var medians = new List<double>();
                for (int process = 1; process <= Processes; process++)
                {
                    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
                    if (viaHost)
                    {
                        start.ArgumentList.Add(dll);
                    }

                    start.ArgumentList.Add("--early-calls-child");
                    start.ArgumentList.Add(shape.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    using Process child = Process.Start(start)!;
                    string line = child.StandardOutput.ReadToEnd().Trim();
                    child.WaitForExit();
                    double[] v = line.Split(' ').Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                    medians.Add(v[3]);
                    Console.WriteLine($"{Shapes[shape].Name,-18} {process,7} {v[0],8:F2} {v[1],8:F2} {v[2],10:F2} {v[3],11:F2} {v[4],11:F2} {v[3] / v[4],8:F3} {v[2] / v[3],9:F3}");
                }

                Console.WriteLine($"{Shapes[shape].Name,-18} steady medians across processes: {medians.Min():F2} .. {medians.Max():F2} ms (max/min {medians.Max() / medians.Min():F3})");
            }
        }

        /// <summary>One fresh process: prints "call1 call2 mean3to10 steadyMedian steadyMin" in ms.</summary>
        public static void RunChild(int shape)
        {
            AttentionThreading.MaxDegreeOfParallelism = 1;
            (_, int n, var kernel) = Shapes[shape];
            var random = new Random(n);
            float[] query = Data.Fill(random, n * 128), key = Data.Fill(random, n * 128), value = Data.Fill(random, n * 128), output = new float[n * 128];
            var calls = new List<double>();
            var total = Stopwatch.StartNew();
            while (calls.Count < 10 || total.ElapsedMilliseconds < 3000 + calls.Take(10).Sum())
            {
                long before = Stopwatch.GetTimestamp();
                kernel(query, key, value, output);
                calls.Add(Stopwatch.GetElapsedTime(before).TotalMilliseconds);
            }

            double[] steady = calls.Skip(10).OrderBy(x => x).ToArray();
            double median = steady[steady.Length / 2];
            Console.WriteLine(string.Join(" ", new[] { calls[0], calls[1], calls.Skip(2).Take(8).Average(), median, steady[0] }
                .Select(x => x.ToString("F4", System.Globalization.CultureInfo.InvariantCulture))));
        }
    }
}
