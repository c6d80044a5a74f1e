using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime;
using System.Runtime.CompilerServices;

namespace KernelGen.FirstCall
{
    /// <summary>
    /// One fresh process: times one shape's call 1, call 2, calls 3-10 and the steady state (calls 11 onward), and the
    /// JIT's work during call 1 and during calls 2-10 (System.Runtime.JitInfo; zero under NativeAOT), and the process's
    /// processor time during call 1 (less disturbed than wall time when other processes share the cores).
    /// </summary>
    public static class Child
    {
        /// <summary>The fields of the line <see cref="Run"/> prints, in order.</summary>
        public static readonly string[] Fields =
        {
            "call1", "call2", "mean3to10", "max3to10", "steadyMedian", "steadyMin", "steadyCalls",
            "jitMethods1", "jitIlBytes1", "jitMs1", "jitMethods2to10", "jitMs2to10", "cpuMs1",
        };

        public static void Run(int shape, int threads, double steadySeconds)
        {
            AttentionThreading.MaxDegreeOfParallelism = threads;
            Action call = Shape.All[shape].Prepare();
            // The timing code itself compiled before anything is timed.
            _ = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp()).TotalMilliseconds;
            _ = JitSnapshot.Take();
            _ = Process.GetCurrentProcess().TotalProcessorTime;

            FirstCallStart();
            JitSnapshot before = JitSnapshot.Take();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            call();
            double first = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            TimeSpan cpuFirst = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            JitSnapshot afterFirst = JitSnapshot.Take();
            FirstCallEnd();

            var calls = new List<double> { first };
            while (calls.Count < 10)
            {
                start = Stopwatch.GetTimestamp();
                call();
                calls.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            JitSnapshot afterTenth = JitSnapshot.Take();
            long steadyEnd = Stopwatch.GetTimestamp() + (long)(steadySeconds * Stopwatch.Frequency);
            while (calls.Count < 30 || Stopwatch.GetTimestamp() < steadyEnd)
            {
                start = Stopwatch.GetTimestamp();
                call();
                calls.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            double[] early = calls.Skip(2).Take(8).ToArray();
            double[] steady = calls.Skip(10).OrderBy(x => x).ToArray();
            double[] line =
            {
                calls[0], calls[1], early.Average(), early.Max(), steady[steady.Length / 2], steady[0], steady.Length,
                afterFirst.Methods - before.Methods, afterFirst.IlBytes - before.IlBytes, afterFirst.Milliseconds - before.Milliseconds,
                afterTenth.Methods - afterFirst.Methods, afterTenth.Milliseconds - afterFirst.Milliseconds, cpuFirst.TotalMilliseconds,
            };
            Console.WriteLine(string.Join(" ", line.Select(x => x.ToString("G6", CultureInfo.InvariantCulture))));
        }

        /// <summary>
        /// Marks the start of call 1 in a DOTNET_JitDisasmSummary listing (it is compiled just before the call; never
        /// precompiled, since ReadyToRun leaves AggressiveOptimization methods to the JIT).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void FirstCallStart()
        {
        }

        /// <summary>Marks the end of call 1 in a DOTNET_JitDisasmSummary listing.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void FirstCallEnd()
        {
        }

        private readonly record struct JitSnapshot(long Methods, long IlBytes, double Milliseconds)
        {
            public static JitSnapshot Take() => new(
                JitInfo.GetCompiledMethodCount(currentThread: false),
                JitInfo.GetCompiledILBytes(currentThread: false),
                JitInfo.GetCompilationTime(currentThread: false).TotalMilliseconds);
        }
    }
}
