using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Kernels.Tests
{
    /// <summary>
    /// FlashAttention's accuracy criterion (tests/test_flash_attn.py): a kernel's max abs error against the double reference
    /// must be at most twice the max abs error of a plain float32 implementation (<see cref="PlainFloatAttention"/>) on the
    /// same inputs, plus <see cref="Slack"/>. Entries where the reference is NaN or infinite are checked exactly instead
    /// (NaN for NaN, the same infinity, e.g. -inf log-sum-exp of a row with no key).
    /// </summary>
    /// <remarks>
    /// The slack is 2^-20 x the largest finite |reference| value of the compared span: between 8 and 16 float32 ulps of the
    /// largest output (2^-21 was measured to leave little headroom: d = 1 kernels used 0.96 of it on one seed, and the
    /// call fuzzer draws a new seed each run). It only matters where the plain float32 error is near zero: a row with one visible key (plain
    /// float32 returns that value exactly), or a row whose rounding happens to land on the double result. There a kernel
    /// that normalises by a reciprocal, sums in another order or uses its own exponential still rounds a few times more
    /// than the plain loop; each rounding is at most half an ulp of the output, so a few ulps covers them, while a
    /// precision regression (a lost term, a float16 accumulator, a wrong exponent) is orders of magnitude larger. The
    /// old fixed 1e-4 was about 100 times this slack.
    /// </remarks>
    public static class Accuracy
    {
        /// <summary>The factor on the plain float32 error.</summary>
        public const double Factor = 2.0;

        /// <summary>The slack as a fraction of the largest |reference| value: 2^-20 (8 ulps at 1.0).</summary>
        public const double SlackPerMagnitude = 1.0 / (1 << 20);

        private static readonly ConcurrentDictionary<string, (double Ratio, string RatioAt, double Used, string UsedAt)> Worst = new();

        /// <summary>The slack for a span of reference values.</summary>
        public static double Slack(ReadOnlySpan<double> expected)
        {
            double magnitude = 0;
            foreach (double e in expected)
            {
                if (double.IsFinite(e))
                {
                    magnitude = Math.Max(magnitude, Math.Abs(e));
                }
            }

            return SlackPerMagnitude * magnitude;
        }

        /// <summary>One comparison: the two errors, the allowed error, and what failed (null when it passes).</summary>
        public readonly record struct Measure(double KernelError, double PlainError, double Bound, string? Problem)
        {
            /// <summary>Kernel error over plain float32 error (0 when both are 0, infinity when only the plain one is).</summary>
            public double Ratio => KernelError == 0 ? 0 : PlainError == 0 ? double.PositiveInfinity : KernelError / PlainError;

            public override string ToString() => $"kernel error {KernelError:E3}, plain float32 error {PlainError:E3}, allowed {Bound:E3}";
        }

        /// <summary>Checks float outputs (or log-sum-exps) against the reference under the criterion.</summary>
        public static Measure Check(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, ReadOnlySpan<float> plain) => Check(actual, expected, plain, null);

        /// <summary>
        /// Checks 16-bit outputs (widened to float in <paramref name="actual"/>): each must lie between the 16-bit roundings
        /// (<paramref name="round"/>) of reference -+ the allowed error, the float criterion's interval rounded outward.
        /// </summary>
        public static Measure CheckRounded(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, ReadOnlySpan<float> plain, Func<float, float> round) =>
            Check(actual, expected, plain, round);

        private static Measure Check(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, ReadOnlySpan<float> plain, Func<float, float>? round)
        {
            if (actual.Length != expected.Length || plain.Length != expected.Length)
            {
                return new Measure(double.NaN, double.NaN, double.NaN, $"lengths differ: {actual.Length} outputs, {expected.Length} reference values, {plain.Length} plain values");
            }

            // The yardstick first: the plain float32 twin must compute the reference's function (finite where it is finite).
            double plainError = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                if (!double.IsFinite(expected[i]))
                {
                    continue;
                }

                double error = Math.Abs(plain[i] - expected[i]);
                if (!double.IsFinite(error))
                {
                    return new Measure(double.NaN, double.PositiveInfinity, double.NaN, $"the plain float32 twin gives {plain[i]} at [{i}] where the reference gives {expected[i]}");
                }

                plainError = Math.Max(plainError, error);
            }

            double bound = Factor * plainError + Slack(expected);
            double kernelError = 0;
            string? problem = null;
            for (int i = 0; i < expected.Length; i++)
            {
                double e = expected[i];
                float a = actual[i];
                if (!double.IsFinite(e))
                {
                    bool same = double.IsNaN(e) ? float.IsNaN(a) : a == e;
                    if (!same)
                    {
                        problem ??= $"[{i}] is {a}, the reference {e}";
                        kernelError = double.PositiveInfinity;
                    }

                    continue;
                }

                double error = Math.Abs(a - e);
                if (double.IsNaN(error))
                {
                    error = double.PositiveInfinity;
                }

                kernelError = Math.Max(kernelError, error);
                bool inside = round is null
                    ? error <= bound
                    : a >= round((float)(e - bound)) && a <= round((float)(e + bound));
                if (!inside)
                {
                    problem ??= round is null
                        ? $"[{i}] is {a}, the reference {e}"
                        : $"[{i}] is {a}, outside [{round((float)(e - bound))}, {round((float)(e + bound))}] (reference {e})";
                }
            }

            var measure = new Measure(kernelError, plainError, bound, null);
            return problem is null ? measure : measure with { Problem = $"{problem}; {measure}" };
        }

        /// <summary>
        /// Keeps, per family, the largest kernel / plain float32 error ratio (over comparisons where the plain error, not the
        /// slack, sets the bound: 2 x plain error at least the slack) and the largest share of the allowed error used.
        /// </summary>
        public static void Record(string family, Measure measure, string where)
        {
            double ratio = measure.PlainError > 0 && Factor * measure.PlainError >= measure.Bound - Factor * measure.PlainError ? measure.Ratio : 0;
            double used = measure.Bound > 0 ? measure.KernelError / measure.Bound : 0;
            Worst.AddOrUpdate(family, (ratio, where, used, where), (_, old) => (
                ratio > old.Ratio ? ratio : old.Ratio, ratio > old.Ratio ? where : old.RatioAt,
                used > old.Used ? used : old.Used, used > old.Used ? where : old.UsedAt));
        }

        /// <summary>The recorded worst cases, one line per family.</summary>
        public static IEnumerable<string> Report() =>
            Worst.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p =>
                $"{p.Key}: max kernel/float32 error ratio {p.Value.Ratio:F3} ({p.Value.RatioAt}); max share of the allowed error {p.Value.Used:F3} ({p.Value.UsedAt})");
    }
}
