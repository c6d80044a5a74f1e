using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// A written span (output or logSumExp) overlapping another span of the same call: both are slices of one byte buffer,
    /// the other span at its start with its valid contents, the written one from the middle of it on. The kernel must throw
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
        private static readonly (string Kernel, string Written, string Other)[] Crashing =
        {
            ("BFloat16Cache_HalfOutput_Bias_Softcap", "output", "keyLengths"),
        };

        /// <summary>Every (kernel, written, other) triple that crashed (<paramref name="crashed"/>) or did not crash on the runtime these tests were written against.</summary>
        public static TheoryData<string, string, string> Pairs(bool crashed)
        {
            var data = new TheoryData<string, string, string>();
            foreach (string name in Kernels)
            {
                SafetyCase kernel = SafetyCatalog.Get(name);
                foreach (string written in Written.Where(kernel.Has))
                {
                    foreach ((string other, Type _) in kernel.Spans.Where(s => s.Name != written))
                    {
                        if (Crashing.Contains((name, written, other)) == crashed)
                        {
                            data.Add(name, written, other);
                        }
                    }
                }
            }

            return data;
        }

        public static void AssertRejectedBeforeAnyWrite(string name, string written, string other)
        {
            SafetyCase kernel = SafetyCatalog.Get(name);
            int batch = kernel.Packed || kernel.PackedPair ? 3 : 2;
            SafetyProblem problem = SafetyProblem.Create(kernel, batch, 17, 17, seed: 3);
            byte[] writtenBytes = problem[written], otherBytes = problem[other];
            Assert.True(writtenBytes.Length > 0 && otherBytes.Length > 0, $"{name}: {written} or {other} is empty, nothing overlaps");

            // The other span at the start of the buffer; the written one from the middle of it (4-byte aligned) on.
            int offset = otherBytes.Length / 2 & ~3;
            byte[] shared = new byte[Math.Max(otherBytes.Length, offset + writtenBytes.Length)];
            shared.AsSpan().Fill(0xA5);
            otherBytes.CopyTo(shared, 0);
            byte[] sharedBefore = (byte[])shared.Clone();

            var separate = new List<(string Name, byte[] Bytes, byte[] Before)>();
            var args = new RawArgs { Batch = problem.Batch, Scale = problem.Scale };
            foreach ((string span, byte[] bytes) in problem.Spans)
            {
                if (span == written)
                {
                    args.Set(span, shared.AsSpan(offset, writtenBytes.Length));
                }
                else if (span == other)
                {
                    args.Set(span, shared.AsSpan(0, otherBytes.Length));
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

            string what = $"{name}: {written} overlapping {other}";
            Assert.True(thrown is ArgumentException, $"{what}: " + (thrown is null ? "accepted (no exception)" : $"threw {thrown.GetType().Name}: {thrown.Message}"));
            var argument = (ArgumentException)thrown!;
            // Output over logSumExp: both are written, so naming either will do.
            string[] names = Written.Contains(other) ? new[] { written, other } : new[] { written };
            Assert.True(names.Any(n => argument.ParamName == n || argument.Message.Contains(n, StringComparison.Ordinal)),
                $"{what}: the exception does not name '{string.Join("' or '", names)}' (parameter '{argument.ParamName}', message '{argument.Message}')");
            int changed = shared.AsSpan().CommonPrefixLength(sharedBefore);
            Assert.True(changed == shared.Length, $"{what}: threw {argument.GetType().Name} ('{argument.Message}') after writing the shared buffer (first change at byte {changed} of {shared.Length})");
            foreach ((string span, byte[] bytes, byte[] before) in separate)
            {
                Assert.True(bytes.AsSpan().SequenceEqual(before), $"{what}: {span} was written before the exception");
            }
        }
    }
}
