using System;
using System.Diagnostics;
using System.Linq;

namespace KernelGen.Timing
{
    /// <summary>What one timing session measured.</summary>
    internal sealed record TimingResult(double[] MillisecondsPerCall, int CallsPerRun, double MaxError, double Tolerance, string CheckedRows);

    /// <summary>
    /// Allocates a kernel's inputs, binds a delegate to it, warms it up, times steady calls, and checks one call against
    /// the double reference. Generic over the element types so the timed calls convert nothing.
    /// </summary>
    internal static class KernelTimer
    {
        private delegate void SingleHead<TQ, TKV, TO>(ReadOnlySpan<TQ> query, ReadOnlySpan<TKV> key, ReadOnlySpan<TKV> value, Span<TO> output);

        private delegate void Batched<TQ, TKV, TO>(ReadOnlySpan<TQ> query, ReadOnlySpan<TKV> key, ReadOnlySpan<TKV> value, Span<TO> output, int batch);

        /// <summary>Single-head checks cover the last rows only (the reference is scalar double code); see CheckSingleHead.</summary>
        private const int CheckedQueryRows = 256;

        public static TimingResult Run(DeclaredKernel kernel, Options options) =>
            (TimingResult)typeof(KernelTimer).GetMethod(nameof(RunTyped), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(kernel.QueryType, kernel.KeyValueType, kernel.OutputType)
                .Invoke(null, new object[] { kernel, options })!;

        private static TimingResult RunTyped<TQ, TKV, TO>(DeclaredKernel kernel, Options options)
        {
            int d = kernel.Spec.HeadDimension;
            int batch = kernel.Batched ? options.Batch : 1;
            float[] query = Values.Random(checked(batch * options.Queries * kernel.Heads * d), seed: 1);
            float[] key = Values.Random(checked(batch * options.Keys * kernel.KeyValueHeads * d), seed: 2);
            float[] value = Values.Random(key.Length, seed: 3);
            TQ[] q = Values.Convert<TQ>(query);
            TKV[] k = Values.Convert<TKV>(key);
            TKV[] v = Values.Convert<TKV>(value);
            TO[] output = new TO[query.Length];

            Action call;
            if (kernel.Batched)
            {
                var typed = kernel.Method.CreateDelegate<Batched<TQ, TKV, TO>>();
                call = () => typed(q, k, v, output, batch);
            }
            else
            {
                var typed = kernel.Method.CreateDelegate<SingleHead<TQ, TKV, TO>>();
                call = () => typed(q, k, v, output);
            }

            double[] times = Time(call, options.Runs, out int callsPerRun);

            // The reference sees exactly the values the kernel saw: 16-bit inputs widened back (exact).
            float[] kernelQuery = Values.Widen(q), kernelKey = Values.Widen(k), kernelValue = Values.Widen(v);
            float[] result = Values.Widen(output);
            double tolerance = Values.Tolerance<TO>();
            if (!options.Check)
            {
                return new TimingResult(times, callsPerRun, double.NaN, tolerance, "skipped (--no-check)");
            }

            return kernel.Batched
                ? CheckBatched(kernel, options, kernelQuery, kernelKey, kernelValue, result, times, callsPerRun, tolerance)
                : CheckSingleHead(kernel, options, kernelQuery, kernelKey, kernelValue, result, times, callsPerRun, tolerance);
        }

        /// <summary>
        /// Warm-up for at least a second and five calls (so tiered compilation has replaced the first code), then
        /// <paramref name="runs"/> runs of as many calls as fill about 100 ms; returns each run's time per call.
        /// </summary>
        private static double[] Time(Action call, int runs, out int callsPerRun)
        {
            var clock = Stopwatch.StartNew();
            int warmCalls = 0;
            while (warmCalls < 5 || clock.Elapsed.TotalSeconds < 1.0)
            {
                call();
                warmCalls++;
            }

            callsPerRun = Math.Max(1, (int)(0.1 / (clock.Elapsed.TotalSeconds / warmCalls)));
            double[] milliseconds = new double[runs];
            for (int run = 0; run < runs; run++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < callsPerRun; i++)
                {
                    call();
                }

                milliseconds[run] = Stopwatch.GetElapsedTime(start).TotalMilliseconds / callsPerRun;
            }

            return milliseconds;
        }

        /// <summary>
        /// The last rows of the query against every key: query row i sits at key position i + Nk - Nq, which the tail
        /// keeps (the tail's own Nq shrinks by the rows dropped), so those rows are the same computation.
        /// </summary>
        private static TimingResult CheckSingleHead(DeclaredKernel kernel, Options options, float[] query, float[] key, float[] value, float[] output,
            double[] times, int callsPerRun, double tolerance)
        {
            int d = kernel.Spec.HeadDimension;
            int rows = Math.Min(options.Queries, CheckedQueryRows);
            int start = (options.Queries - rows) * d;
            double[] expected = new double[rows * d];
            ReferenceAttention.Compute(kernel.Spec, query.AsSpan(start), key, value, expected);
            double error = MaxError(output.AsSpan(start), expected);
            return new TimingResult(times, callsPerRun, error, tolerance, rows == options.Queries ? "every row" : $"the last {rows} query rows");
        }

        /// <summary>The first item in full (items are independent and outermost in both layouts).</summary>
        private static TimingResult CheckBatched(DeclaredKernel kernel, Options options, float[] query, float[] key, float[] value, float[] output,
            double[] times, int callsPerRun, double tolerance)
        {
            int queryItem = query.Length / options.Batch, keyItem = key.Length / options.Batch;
            double work = 4.0 * kernel.Spec.HeadDimension * kernel.Heads * options.Queries * (double)options.Keys;
            if (work > 4e9)
            {
                return new TimingResult(times, callsPerRun, double.NaN, tolerance, "skipped: the reference would take minutes at this size (try --nq 256 --nk 256)");
            }

            double[] expected = new double[queryItem];
            ReferenceAttention.ComputeBatched(kernel.Spec, kernel.Attribute.Layout, kernel.Heads, kernel.KeyValueHeads, 1,
                query.AsSpan(0, queryItem), key.AsSpan(0, keyItem), value.AsSpan(0, keyItem), expected);
            return new TimingResult(times, callsPerRun, MaxError(output.AsSpan(0, queryItem), expected), tolerance, "the first batch item");
        }

        private static double MaxError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
        {
            double max = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                // NaN must fail the check, so it is not compared with Math.Max alone.
                double error = Math.Abs(actual[i] - expected[i]);
                max = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(max, error);
            }

            return max;
        }
    }
}
