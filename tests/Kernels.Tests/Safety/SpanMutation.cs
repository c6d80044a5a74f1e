using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// Races a kernel against a thread that rewrites its run-time spans (lengths, starts, masks, bias, slopes, sinks) while
    /// the kernel runs: a kernel that validates a value and then reads it again, or indexes with an unchecked one, reads
    /// out of bounds. Every span sits before a no-access page, so such a read faults instead of passing unnoticed. Each call
    /// must either complete or throw <see cref="ArgumentException"/>; any other exception is a failure, a crash kills the run.
    /// </summary>
    public static class SpanMutation
    {
        /// <summary>How long each kernel is raced (the whole mutation class stays around 15 s).</summary>
        public static readonly TimeSpan Duration = TimeSpan.FromSeconds(1.5);

        private static readonly string[] Mutable = { "keyLengths", "queryLengths", "sequenceStarts", "querySequenceStarts", "keySequenceStarts", "keyMask", "mask", "bias", "alibiSlopes", "sinks" };

        public sealed record Outcome(int Completed, int Rejected, List<string> Unexpected, int Mutations)
        {
            public override string ToString() => $"{Completed} calls completed, {Rejected} threw ArgumentException, {Unexpected.Count} threw something else, {Mutations} mutations";
        }

        public static unsafe Outcome Race(SafetyCase kernel, int batch, int queries, int keys)
        {
            SafetyProblem problem = SafetyProblem.Create(kernel, batch, queries, keys, seed: 7);
            var buffers = new List<GuardedBuffer<byte>>();
            try
            {
                var args = default(RawArgs);
                problem.PlaceGuarded(ref args, GuardSide.After, buffers);
                var targets = buffers.Zip(problem.Spans, (buffer, span) => (buffer, span.Name))
                    .Where(t => Mutable.Contains(t.Name) && t.buffer.Length > 0)
                    .Select(t => new Target(t.Name, (nint)t.buffer.Pointer, t.buffer.Length, t.buffer.Span.ToArray(), Math.Max(queries, keys)))
                    .ToArray();
                if (targets.Length == 0)
                {
                    throw new InvalidOperationException($"{kernel.Name} has no run-time span to mutate.");
                }

                int stop = 0, mutations = 0;
                var mutator = new Thread(() => mutations = Mutate(targets, ref stop)) { IsBackground = true, Name = "span mutator" };
                mutator.Start();
                int completed = 0, rejected = 0;
                var unexpected = new List<string>();
                var clock = Stopwatch.StartNew();
                try
                {
                    while (clock.Elapsed < Duration)
                    {
                        try
                        {
                            kernel.Invoke(ref args);
                            completed++;
                        }
                        catch (ArgumentException)
                        {
                            rejected++;
                        }
                        catch (Exception e)
                        {
                            unexpected.Add($"{e.GetType().Name}: {e.Message}");
                        }
                    }
                }
                finally
                {
                    Volatile.Write(ref stop, 1);
                    mutator.Join();
                }

                return new Outcome(completed, rejected, unexpected, mutations);
            }
            finally
            {
                foreach (GuardedBuffer<byte> buffer in buffers)
                {
                    buffer.Dispose();
                }
            }
        }

        private sealed record Target(string Name, nint Address, int Bytes, byte[] Original, int Rows);

        /// <summary>
        /// One element at a time: written with a bad (or, for masks, flipped) value, held for a random moment, restored,
        /// and left valid for another moment; so calls see valid spans, bad ones, and values changing under them.
        /// </summary>
        private static unsafe int Mutate(Target[] targets, ref int stop)
        {
            var random = new Random(12345);
            int count = 0;
            while (Volatile.Read(ref stop) == 0)
            {
                Target target = targets[random.Next(targets.Length)];
                byte* bytes = (byte*)target.Address;
                switch (target.Name)
                {
                    case "keyMask":
                    case "mask":
                    {
                        // Only 0 and 1: other bytes are not valid bools.
                        int at = random.Next(target.Bytes);
                        Volatile.Write(ref bytes[at], (byte)(1 - target.Original[at]));
                        Hold(random);
                        Volatile.Write(ref bytes[at], target.Original[at]);
                        break;
                    }

                    case "bias":
                    case "alibiSlopes":
                    case "sinks":
                    {
                        float* values = (float*)bytes;
                        int at = random.Next(target.Bytes / 4);
                        float[] bad = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, 0f };
                        Volatile.Write(ref values[at], bad[random.Next(bad.Length)]);
                        Hold(random);
                        Volatile.Write(ref values[at], BitConverter.ToSingle(target.Original, at * 4));
                        break;
                    }

                    default:
                    {
                        // Lengths and starts: out of range, negative, huge, or past the rows.
                        int* values = (int*)bytes;
                        int at = random.Next(target.Bytes / 4);
                        int[] bad = { 0x20000001, -1, target.Rows + 1, int.MaxValue, int.MinValue, 0, random.Next() };
                        Volatile.Write(ref values[at], bad[random.Next(bad.Length)]);
                        Hold(random);
                        Volatile.Write(ref values[at], BitConverter.ToInt32(target.Original, at * 4));
                        break;
                    }
                }

                count++;
                Hold(random);
            }

            return count;
        }

        /// <summary>
        /// A short spin, or a yield: on a loaded machine the two threads may share one core, and a yield while a bad value
        /// is held lets the caller run into it (with spins alone it would mostly run while the spans are valid).
        /// </summary>
        private static void Hold(Random random)
        {
            if (random.Next(4) == 0)
            {
                Thread.Yield();
            }
            else
            {
                Thread.SpinWait(random.Next(1, 2000));
            }
        }
    }
}
