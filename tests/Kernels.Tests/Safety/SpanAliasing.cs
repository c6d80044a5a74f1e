using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// A written span (output or logSumExp) overlapping another span of the same call: both are slices of one byte buffer,
    /// one at its start, the other from the middle of the first on (both orders); the other span holds its valid contents.
    /// The kernel must throw
    /// an <see cref="ArgumentException"/> naming the written parameter before it writes anything: the shared buffer and the
    /// call's other written span keep every byte.
    /// </summary>
    public static class SpanAliasing
    {
        /// <summary>One kernel or more per family.</summary>
        public static readonly string[] Kernels =
        {
            "D64_Window3x7Globals", "Single_RuntimeScale_WindowGlobals", "HalfAll_SoftcapScale37", "H2_D8_KeyLengths", "H4Kv2_Causal_BothLengths_Lse",
            "H2Kv2_WindowGlobals_Bhsd_QueryLengths_KeyMask_Mask", "H1Kv1_Causal_KeyMask_Mask_Lse", "H2Kv2_WindowGlobals_Packed", "PackedPair_Everything", "Everything",
            "BFloat16All_Gqa4x1_Bhsd_Masks_Sinks", "HalfAll_Gqa4x2_Packed_Alibi", "BFloat16Cache_HalfOutput_Bias_Softcap",
        };

        private static readonly string[] Written = { "output", "logSumExp" };

        /// <summary>The pairs that crashed the process (access violation) on the runtime these tests were written against.</summary>
        private static readonly (string Kernel, string Written, string Other, bool WrittenFirst)[] Crashing =
        {
            ("BFloat16Cache_HalfOutput_Bias_Softcap", "output", "keyLengths", false),
        };

        /// <summary>Every (kernel, written, other) triple that crashed (<paramref name="crashed"/>) or did not crash on the runtime these tests were written against.</summary>
        public static TheoryData<string, string, string, bool> Pairs(bool crashed)
        {
            var data = new TheoryData<string, string, string, bool>();
            foreach (string name in Kernels)
            {
                SafetyCase kernel = SafetyCatalog.Get(name);
                foreach (string written in Written.Where(kernel.Has))
                {
                    foreach ((string other, Type _) in kernel.Spans.Where(s => s.Name != written))
                    {
                        foreach (bool writtenFirst in new[] { false, true })
                        {
                            if (Crashing.Contains((name, written, other, writtenFirst)) == crashed)
                            {
                                data.Add(name, written, other, writtenFirst);
                            }
                        }
                    }
                }
            }

            return data;
        }

        /// <param name="name">The kernel, a <see cref="SafetyCatalog"/> name.</param>
        /// <param name="written">output or logSumExp.</param>
        /// <param name="other">The span it overlaps.</param>
        /// <param name="writtenFirst">Whether the written span starts the buffer (the other from its middle on) or the other way round.</param>
        public static void AssertRejectedBeforeAnyWrite(string name, string written, string other, bool writtenFirst)
        {
            SafetyCase kernel = SafetyCatalog.Get(name);
            int batch = kernel.Packed || kernel.PackedPair ? 3 : 2;
            SafetyProblem problem = SafetyProblem.Create(kernel, batch, 17, 17, seed: 3);
            byte[] writtenBytes = problem[written], otherBytes = problem[other];
            Assert.True(writtenBytes.Length > 0 && otherBytes.Length > 0, $"{name}: {written} or {other} is empty, nothing overlaps");

            // One span at the start of the buffer, the other from the middle of it (4-byte aligned) on.
            int writtenAt = writtenFirst ? 0 : otherBytes.Length / 2 & ~3;
            int otherAt = writtenFirst ? writtenBytes.Length / 2 & ~3 : 0;
            byte[] shared = new byte[Math.Max(writtenAt + writtenBytes.Length, otherAt + otherBytes.Length)];
            shared.AsSpan().Fill(0xA5);
            otherBytes.CopyTo(shared, otherAt);
            byte[] sharedBefore = (byte[])shared.Clone();

            var separate = new List<(string Name, byte[] Bytes, byte[] Before)>();
            var args = new RawArgs { Batch = problem.Batch, Scale = problem.Scale };
            foreach ((string span, byte[] bytes) in problem.Spans)
            {
                if (span == written)
                {
                    args.Set(span, shared.AsSpan(writtenAt, writtenBytes.Length));
                }
                else if (span == other)
                {
                    args.Set(span, shared.AsSpan(otherAt, otherBytes.Length));
                }
                else
                {
                    byte[] copy = (byte[])bytes.Clone();
                    separate.Add((span, copy, (byte[])bytes.Clone()));
                    args.Set(span, copy);
                }
            }

            Exception? thrown = null;
            try
            {
                kernel.Invoke(ref args);
            }
            catch (Exception e)
            {
                thrown = e;
            }

            // Every problem at once: the exception, its naming, and whether anything was written.
            string what = $"{name}: {written} overlapping {(writtenFirst ? "the start" : "the end")} of {other}";
            var problems = new List<string>();
            if (thrown is not ArgumentException argument)
            {
                problems.Add(thrown is null ? "accepted (no exception)" : $"threw {thrown.GetType().Name}: {thrown.Message}");
            }
            else
            {
                // The written span is the parameter (output over logSumExp: both are written, either will do), and the message
                // names both spans.
                bool parameter = argument.ParamName == written || (Written.Contains(other) && argument.ParamName == other);
                bool message = argument.Message.Contains($"The {written} ", StringComparison.Ordinal) && argument.Message.Contains($"the {other} ", StringComparison.Ordinal)
                    || argument.Message.Contains($"The {other} ", StringComparison.Ordinal) && argument.Message.Contains($"the {written} ", StringComparison.Ordinal);
                if (!parameter || !message)
                {
                    problems.Add($"{argument.GetType().Name} does not name '{written}' as its parameter and both '{written}' and '{other}' in its message (parameter '{argument.ParamName}', message '{argument.Message}')");
                }
            }

            int unchanged = shared.AsSpan().CommonPrefixLength(sharedBefore);
            if (unchanged != shared.Length)
            {
                problems.Add($"the shared buffer was written (first change at byte {unchanged} of {shared.Length})");
            }

            foreach ((string span, byte[] bytes, byte[] before) in separate)
            {
                if (!bytes.AsSpan().SequenceEqual(before))
                {
                    problems.Add($"{span} was written");
                }
            }

            Assert.True(problems.Count == 0, $"{what}: " + string.Join("; ", problems));
        }
    }
}
