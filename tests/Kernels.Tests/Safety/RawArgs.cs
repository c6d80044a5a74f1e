using System;
using System.Runtime.InteropServices;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// Every span a kernel can take, as bytes, so one piece of test code can place any of them anywhere (guard pages, one
    /// shared buffer) whatever their element type; a <see cref="RawInvoker"/> casts each back to the kernel's own types.
    /// Spans a kernel does not declare are ignored by its invoker.
    /// </summary>
    public ref struct RawArgs
    {
        /// <summary>The span parameter names, as the generated kernels spell them.</summary>
        public static readonly string[] SpanNames =
        {
            "query", "key", "value", "output", "logSumExp", "keyLengths", "queryLengths", "sequenceStarts", "querySequenceStarts", "keySequenceStarts",
            "keyMask", "mask", "bias", "alibiSlopes", "sinks",
        };

        public Span<byte> Query, Key, Value, Output, LogSumExp, KeyLengths, QueryLengths, SequenceStarts, QuerySequenceStarts, KeySequenceStarts,
            KeyMask, Mask, Bias, AlibiSlopes, Sinks;

        public int Batch;

        public float Scale;

        public void Set(string name, Span<byte> span)
        {
            switch (name)
            {
                case "query": Query = span; break;
                case "key": Key = span; break;
                case "value": Value = span; break;
                case "output": Output = span; break;
                case "logSumExp": LogSumExp = span; break;
                case "keyLengths": KeyLengths = span; break;
                case "queryLengths": QueryLengths = span; break;
                case "sequenceStarts": SequenceStarts = span; break;
                case "querySequenceStarts": QuerySequenceStarts = span; break;
                case "keySequenceStarts": KeySequenceStarts = span; break;
                case "keyMask": KeyMask = span; break;
                case "mask": Mask = span; break;
                case "bias": Bias = span; break;
                case "alibiSlopes": AlibiSlopes = span; break;
                case "sinks": Sinks = span; break;
                default: throw new ArgumentException($"No span parameter '{name}'.", nameof(name));
            }
        }

        /// <summary>A byte span read as <typeparamref name="T"/> (the kernels' read-only parameters).</summary>
        public static ReadOnlySpan<T> In<T>(Span<byte> bytes)
            where T : struct => MemoryMarshal.Cast<byte, T>(bytes);

        /// <summary>A byte span written as <typeparamref name="T"/> (output and logSumExp).</summary>
        public static Span<T> Out<T>(Span<byte> bytes)
            where T : struct => MemoryMarshal.Cast<byte, T>(bytes);
    }

    /// <summary>Calls one generated kernel with the spans of <paramref name="args"/> cast to its parameter types.</summary>
    public delegate void RawInvoker(ref RawArgs args);
}
