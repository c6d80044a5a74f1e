using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Linq;
using System.Threading;

namespace KernelGen.FirstCall
{
    /// <summary>
    /// Per-method JIT times of one shape's call 1, from the runtime's own events (MethodJittingStarted to MethodLoadVerbose
    /// on the same thread, so type loads and class constructors run while compiling are included), heaviest first.
    /// The listener slows the process: these times are for ranking methods, the totals come from <see cref="Child"/>.
    /// </summary>
    public sealed class JitTimes : EventListener
    {
        private const EventKeywords JitKeyword = (EventKeywords)0x10;
        private readonly ConcurrentDictionary<long, DateTime> _started = new();
        private readonly ConcurrentQueue<(string Name, double Milliseconds, int Il)> _done = new();
        private volatile bool _recording;

        public static void Print(int shape, int threads)
        {
            AttentionThreading.MaxDegreeOfParallelism = threads;
            Action call = Shape.All[shape].Prepare();
            using var listener = new JitTimes();
            Thread.Sleep(1000); // the session starts asynchronously
            listener._recording = true;
            call();
            listener._recording = false;
            Thread.Sleep(2000); // events arrive on a dispatch thread
            var methods = listener._done.ToArray();
            Console.WriteLine($"{Shape.All[shape].Name}: {methods.Length} methods, {methods.Sum(m => m.Milliseconds):F1} ms of JIT (under the listener)");
            foreach (var group in methods.GroupBy(m => Family(m.Name)).OrderByDescending(g => g.Sum(m => m.Milliseconds)))
            {
                Console.WriteLine($"  {group.Sum(m => m.Milliseconds),7:F2} ms {group.Count(),4} methods  {group.Key}");
            }

            Console.WriteLine("  heaviest methods:");
            foreach (var method in methods.OrderByDescending(m => m.Milliseconds).Take(25))
            {
                Console.WriteLine($"  {method.Milliseconds,7:F2} ms IL {method.Il,5}  {Shorten(method.Name)}");
            }
        }

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, JitKeyword);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (!_recording || e.Payload is null)
            {
                return;
            }

            if (e.EventName == "MethodJittingStarted_V1")
            {
                _started[Convert.ToInt64(e.Payload[0])] = e.TimeStamp;
            }
            else if (e.EventName == "MethodLoadVerbose_V1" || e.EventName == "MethodLoadVerbose_V2")
            {
                long id = Convert.ToInt64(e.Payload[0]);
                if (_started.TryRemove(id, out DateTime start))
                {
                    string name = $"{e.Payload[e.PayloadNames!.IndexOf("MethodNamespace")]}::{e.Payload[e.PayloadNames.IndexOf("MethodName")]}";
                    _done.Enqueue((name, (e.TimeStamp - start).TotalMilliseconds, 0));
                }
            }
        }

        /// <summary>The class part of a method name without its type arguments.</summary>
        private static string Family(string name)
        {
            string type = name.Split("::")[0];
            int generic = type.IndexOf('[');
            return generic < 0 ? type : type.Substring(0, generic);
        }

        private static string Shorten(string name) =>
            System.Text.RegularExpressions.Regex.Replace(name, @"<KernelGen_FirstCall_Kernels_\w+_g>\w+__", "");
    }
}
