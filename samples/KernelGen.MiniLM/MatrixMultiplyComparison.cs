using System;
using System.Diagnostics;
using System.Numerics.Tensors;

namespace KernelGen.MiniLM
{
    /// <summary>
    /// `--matmul`: the feed-forward up-projection's shape (768 tokens x 384 -> 1536) on one thread, by our register-tiled
    /// <see cref="MatrixMultiply"/> and by one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    /// per output element (weights transposed so both operands are contiguous). Best of 5 after a warm-up.
    /// </summary>
    internal static class MatrixMultiplyComparison
    {
        public static int Run()
        {
            const int rows = 768, inner = MiniLMWeights.HiddenSize, columns = MiniLMWeights.IntermediateSize, repeats = 5;
            var random = new Random(15);
            float[] input = new float[rows * inner], weight = new float[inner * columns], transposed = new float[columns * inner], bias = new float[columns];
            for (int index = 0; index < input.Length; index++)
            {
                input[index] = random.NextSingle() * 2 - 1;
            }

            for (int index = 0; index < weight.Length; index++)
            {
                weight[index] = random.NextSingle() * 2 - 1;
            }

            for (int k = 0; k < inner; k++)
            {
                for (int column = 0; column < columns; column++)
                {
                    transposed[column * inner + k] = weight[k * columns + column];
                }
            }

            PackedMatrix packed = PackedMatrix.Pack(weight, inner, columns);
            float[] tiled = new float[rows * columns], dots = new float[rows * columns];
            double flops = 2.0 * rows * inner * columns;

            double tiledBest = Best(repeats, () => MatrixMultiply.Multiply(input, rows, packed, bias, null, tiled, Activation.None, threads: 1));
            double dotBest = Best(repeats, () =>
            {
                for (int row = 0; row < rows; row++)
                {
                    ReadOnlySpan<float> a = input.AsSpan(row * inner, inner);
                    for (int column = 0; column < columns; column++)
                    {
                        dots[row * columns + column] = TensorPrimitives.Dot(a, transposed.AsSpan(column * inner, inner));
                    }
                }
            });

            double difference = 0;
            for (int index = 0; index < tiled.Length; index++)
            {
                difference = Math.Max(difference, Math.Abs(tiled[index] - dots[index]));
            }

            Console.WriteLine($"{rows} x {inner} times {inner} x {columns}, one thread, best of {repeats}:");
            Console.WriteLine($"  register tile 6 x 16 (Vector256 FMA, packed B): {tiledBest:F2} ms, {flops / tiledBest / 1e6:F1} GFLOP/s");
            Console.WriteLine($"  TensorPrimitives.Dot per element:             {dotBest:F2} ms, {flops / dotBest / 1e6:F1} GFLOP/s");
            Console.WriteLine($"  ratio {dotBest / tiledBest:F2}x; max |difference| {difference:E2} (summation order differs)");
            return 0;
        }

        private static double Best(int repeats, Action action)
        {
            action();
            double best = double.MaxValue;
            for (int repeat = 0; repeat < repeats; repeat++)
            {
                long start = Stopwatch.GetTimestamp();
                action();
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            return best;
        }
    }
}
