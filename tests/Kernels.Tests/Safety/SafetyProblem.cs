using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using KernelGen.Tests;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// One valid call of a <see cref="SafetyCase"/>: every span it declares, as bytes in the kernel's element types (16-bit
    /// inputs are rounded first, so the reference sees what the kernel sees), output and logSumExp pre-filled with NaN, and
    /// the double-precision reference (<c>ReferenceAttention.ComputeBatched</c>) for output and log-sum-exp.
    /// </summary>
    public sealed class SafetyProblem
    {
        private SafetyProblem(SafetyCase kernel, int batch, float scale, List<(string Name, byte[] Bytes)> spans, double[] expectedOutput, double[]? expectedLogSumExp,
            float[] plainOutput, float[]? plainLogSumExp, string shape)
        {
            PlainOutput = plainOutput;
            PlainLogSumExp = plainLogSumExp;
            Case = kernel;
            Batch = batch;
            Scale = scale;
            Spans = spans;
            ExpectedOutput = expectedOutput;
            ExpectedLogSumExp = expectedLogSumExp;
            Shape = shape;
        }

        public SafetyCase Case { get; }

        public int Batch { get; }

        public float Scale { get; }

        /// <summary>The declared spans in parameter order, with their contents.</summary>
        public List<(string Name, byte[] Bytes)> Spans { get; }

        public double[] ExpectedOutput { get; }

        public double[]? ExpectedLogSumExp { get; }

        /// <summary>The plain float32 twin's output and log-sum-exp on the same inputs: the yardstick of <see cref="Accuracy"/>.</summary>
        public float[] PlainOutput { get; }

        public float[]? PlainLogSumExp { get; }

        public string Shape { get; }

        public byte[] this[string name] => Spans.Single(s => s.Name == name).Bytes;

        /// <summary>
        /// A call with <paramref name="batch"/> items (1 for a single-head kernel) of <paramref name="queries"/> query and
        /// <paramref name="keys"/> key rows each (padded counts), or, packed, that many rows in all split at random into the
        /// items (sequenceStarts packs queries and keys alike, so it uses <paramref name="queries"/> for both). Key and query
        /// lengths are random in 0..N with item 0 full; masks keep about 4 keys in 5.
        /// </summary>
        public static SafetyProblem Create(SafetyCase kernel, int batch, int queries, int keys, int seed) => Create(kernel, batch, queries, keys, seed, 1f);

        /// <summary>As <see cref="Create(SafetyCase, int, int, int, int)"/>, with query and key entries scaled by <paramref name="inputScale"/> (1e20: products overflow float).</summary>
        public static SafetyProblem Create(SafetyCase kernel, int batch, int queries, int keys, int seed, float inputScale)
        {
            var random = new Random(seed);
            int d = kernel.HeadDimension, heads = kernel.Heads, kvHeads = kernel.KeyValueHeads;
            batch = kernel.Batched ? batch : 1;
            if (kernel.Packed)
            {
                keys = queries;
            }

            bool packed = kernel.Packed || kernel.PackedPair;
            int items = packed ? 1 : batch;
            int[] starts = kernel.Packed ? Split(random, batch, queries) : Array.Empty<int>();
            int[] queryStarts = kernel.PackedPair ? Split(random, batch, queries) : Array.Empty<int>();
            int[] keyStarts = kernel.PackedPair ? Split(random, batch, keys) : Array.Empty<int>();
            float[] query = Rounded(TestData.Uniform(random.Next(), items * queries * heads * d).Select(x => x * inputScale).ToArray(), kernel.ElementOf("query"));
            float[] key = Rounded(TestData.Uniform(random.Next(), items * keys * kvHeads * d).Select(x => x * inputScale).ToArray(), kernel.ElementOf("key"));
            float[] value = Rounded(TestData.Uniform(random.Next(), key.Length), kernel.ElementOf("value"));
            int[] keyLengths = kernel.Has("keyLengths") ? Lengths(random, batch, keys) : Array.Empty<int>();
            int[] queryLengths = kernel.Has("queryLengths") ? Lengths(random, batch, queries) : Array.Empty<int>();
            bool[] keyMask = kernel.Has("keyMask") ? Flags(random, batch * keys) : Array.Empty<bool>();
            bool[] mask = kernel.Has("mask") ? Flags(random, batch * queries * keys) : Array.Empty<bool>();
            float[] bias = kernel.Has("bias") ? TestData.Uniform(random.Next(), batch * heads * queries * keys) : Array.Empty<float>();
            float[] slopes = kernel.Has("alibiSlopes") ? TestData.Uniform(random.Next(), heads).Select(static s => Math.Abs(s) * 0.5f).ToArray() : Array.Empty<float>();
            float[] sinks = kernel.Has("sinks") ? TestData.Uniform(random.Next(), heads) : Array.Empty<float>();
            float scale = kernel.HasScale ? 0.3f : 0f;
            int logSumExpLength = packed ? heads * queries : batch * heads * queries;

            double[] expected = new double[query.Length];
            double[]? expectedLse = kernel.Has("logSumExp") ? new double[logSumExpLength] : null;
            ReferenceAttention.ComputeBatched(kernel.Spec, kernel.Layout, heads, kvHeads, batch, query, key, value, expected, keyLengths, queryLengths, starts,
                expectedLse ?? default(Span<double>), keyMask, mask, queryStarts, keyStarts, scale, slopes, bias, sinks);
            float[] plain = new float[query.Length];
            float[]? plainLse = expectedLse is null ? null : new float[logSumExpLength];
            PlainFloatAttention.ComputeBatched(kernel.Spec, kernel.Layout, heads, kvHeads, batch, query, key, value, plain, keyLengths, queryLengths, starts,
                plainLse ?? default(Span<float>), keyMask, mask, queryStarts, keyStarts, scale, slopes, bias, sinks);

            var spans = new List<(string, byte[])>();
            foreach ((string name, Type element) in kernel.Spans)
            {
                byte[] bytes = name switch
                {
                    "query" => Encode(query, element),
                    "key" => Encode(key, element),
                    "value" => Encode(value, element),
                    "output" => Poisoned(query.Length * SizeOf(element)),
                    "logSumExp" => Poisoned(logSumExpLength * sizeof(float)),
                    "keyLengths" => MemoryMarshal.AsBytes(keyLengths.AsSpan()).ToArray(),
                    "queryLengths" => MemoryMarshal.AsBytes(queryLengths.AsSpan()).ToArray(),
                    "sequenceStarts" => MemoryMarshal.AsBytes(starts.AsSpan()).ToArray(),
                    "querySequenceStarts" => MemoryMarshal.AsBytes(queryStarts.AsSpan()).ToArray(),
                    "keySequenceStarts" => MemoryMarshal.AsBytes(keyStarts.AsSpan()).ToArray(),
                    "keyMask" => MemoryMarshal.AsBytes(keyMask.AsSpan()).ToArray(),
                    "mask" => MemoryMarshal.AsBytes(mask.AsSpan()).ToArray(),
                    "bias" => Encode(bias, element),
                    "alibiSlopes" => Encode(slopes, element),
                    "sinks" => Encode(sinks, element),
                    _ => throw new InvalidOperationException(name),
                };
                spans.Add((name, bytes));
            }

            string shape = packed ? $"B={batch} packed rows Q={queries} K={keys} starts=[{string.Join(",", starts.Concat(queryStarts))}|{string.Join(",", keyStarts)}]"
                : $"B={batch} Nq={queries} Nk={keys} keyLengths=[{string.Join(",", keyLengths)}] queryLengths=[{string.Join(",", queryLengths)}]";
            return new SafetyProblem(kernel, batch, scale, spans, expected, expectedLse, plain, plainLse, shape);
        }

        /// <summary>Sets every declared span of <paramref name="args"/> to a guarded copy (collected in <paramref name="buffers"/>).</summary>
        public void PlaceGuarded(ref RawArgs args, GuardSide side, List<GuardedBuffer<byte>> buffers)
        {
            args.Batch = Batch;
            args.Scale = Scale;
            foreach ((string name, byte[] bytes) in Spans)
            {
                GuardedBuffer<byte> buffer = GuardedBuffer<byte>.Of(bytes, side);
                buffers.Add(buffer);
                args.Set(name, buffer.Span);
            }
        }

        /// <summary>Calls the kernel on guarded copies of every span and returns its output, widened to float, and log-sum-exp.</summary>
        public (float[] Output, float[]? LogSumExp) RunAndRead(GuardSide side)
        {
            var buffers = new List<GuardedBuffer<byte>>();
            try
            {
                var args = default(RawArgs);
                PlaceGuarded(ref args, side, buffers);
                Case.Invoke(ref args);
                float[]? lse = ExpectedLogSumExp is null ? null : MemoryMarshal.Cast<byte, float>(args.LogSumExp).ToArray();
                return (Decode(args.Output, Case.ElementOf("output")), lse);
            }
            finally
            {
                foreach (GuardedBuffer<byte> buffer in buffers)
                {
                    buffer.Dispose();
                }
            }
        }

        /// <summary>Calls the kernel on guarded copies of every span, then compares with the reference; null when it matches.</summary>
        public string? RunGuarded(GuardSide side)
        {
            var buffers = new List<GuardedBuffer<byte>>();
            try
            {
                var args = default(RawArgs);
                PlaceGuarded(ref args, side, buffers);
                Case.Invoke(ref args);
                return Check(args.Output, args.LogSumExp);
            }
            finally
            {
                foreach (GuardedBuffer<byte> buffer in buffers)
                {
                    buffer.Dispose();
                }
            }
        }

        /// <summary>Null when output (in its element type) and log-sum-exp match the reference, else the first difference.</summary>
        public string? Check(ReadOnlySpan<byte> output, ReadOnlySpan<byte> logSumExp)
        {
            Type element = Case.ElementOf("output");
            float[] actual = Decode(output, element);
            // Judged as every differential test is (Accuracy): 2x the plain float32 error plus slack; a 16-bit output within
            // the 16-bit roundings of that interval.
            Accuracy.Measure measure = element == typeof(float) ? Accuracy.Check(actual, ExpectedOutput, PlainOutput)
                : Accuracy.CheckRounded(actual, ExpectedOutput, PlainOutput, x => Rounded(new[] { x }, element)[0]);
            if (measure.Problem is { } problem)
            {
                return $"output: {problem}";
            }

            if (ExpectedLogSumExp is { } expectedLse && PlainLogSumExp is { } plainLse)
            {
                Accuracy.Measure lse = Accuracy.Check(MemoryMarshal.Cast<byte, float>(logSumExp), expectedLse, plainLse);
                if (lse.Problem is { } lseProblem)
                {
                    return $"logSumExp: {lseProblem}";
                }
            }

            return null;
        }

        public static int SizeOf(Type element) =>
            element == typeof(float) || element == typeof(int) ? 4 : element == typeof(Half) || element == typeof(BFloat16) ? 2 : element == typeof(bool) ? 1
            : throw new ArgumentException(element.Name, nameof(element));

        public static float[] Rounded(float[] values, Type element) =>
            element == typeof(Half) ? values.Select(static x => (float)(Half)x).ToArray()
            : element == typeof(BFloat16) ? values.Select(static x => (float)(BFloat16)x).ToArray()
            : values;

        public static byte[] Encode(float[] values, Type element)
        {
            if (element == typeof(Half))
            {
                return MemoryMarshal.AsBytes(values.Select(static x => (Half)x).ToArray().AsSpan()).ToArray();
            }

            if (element == typeof(BFloat16))
            {
                return MemoryMarshal.AsBytes(values.Select(static x => (BFloat16)x).ToArray().AsSpan()).ToArray();
            }

            return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }

        public static float[] Decode(ReadOnlySpan<byte> bytes, Type element)
        {
            if (element == typeof(Half))
            {
                ReadOnlySpan<Half> h = MemoryMarshal.Cast<byte, Half>(bytes);
                float[] result = new float[h.Length];
                for (int i = 0; i < h.Length; i++)
                {
                    result[i] = (float)h[i];
                }

                return result;
            }

            if (element == typeof(BFloat16))
            {
                ReadOnlySpan<BFloat16> b = MemoryMarshal.Cast<byte, BFloat16>(bytes);
                float[] result = new float[b.Length];
                for (int i = 0; i < b.Length; i++)
                {
                    result[i] = (float)b[i];
                }

                return result;
            }

            return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }

        private static byte[] Poisoned(int bytes)
        {
            byte[] result = new byte[bytes];
            result.AsSpan().Fill(0xFF); // NaN in float, Half and BFloat16
            return result;
        }

        /// <summary>batch + 1 non-decreasing offsets from 0 to <paramref name="total"/>.</summary>
        private static int[] Split(Random random, int batch, int total)
        {
            int[] starts = new int[batch + 1];
            for (int b = 1; b < batch; b++)
            {
                starts[b] = random.Next(total + 1);
            }

            starts[batch] = total;
            Array.Sort(starts, 1, batch - 1);
            return starts;
        }

        private static int[] Lengths(Random random, int batch, int limit) =>
            Enumerable.Range(0, batch).Select(b => b == 0 ? limit : random.Next(limit + 1)).ToArray();

        private static bool[] Flags(Random random, int count) => Enumerable.Range(0, count).Select(_ => random.Next(5) != 0).ToArray();
    }
}
