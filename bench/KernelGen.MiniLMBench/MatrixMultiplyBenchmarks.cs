using System;
using System.Globalization;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using KernelGen.MiniLM;

namespace KernelGen.MiniLMBench
{
    /// <summary>
    /// The MiniLM sample's matrix product at the feed-forward up-projection's shape (768 tokens x 384 -> 1536), one
    /// thread: its register-tiled <see cref="MatrixMultiply"/> against one
    /// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per output element (weights transposed
    /// once so both operands are contiguous), the form a user reaches for first. The GFLOP/s column is 2 M K N over the
    /// mean time; bench/RESULTS.md, section "The MiniLM sample's matrix product", has the figures.
    /// </summary>
    [MemoryDiagnoser]
    [Config(typeof(FlopsConfig))]
    public class MatrixMultiplyBenchmarks
    {
        public const int Rows = 768, Inner = 384, Columns = 1536;

        private const double Flops = 2.0 * Rows * Inner * Columns;

        private float[] _input = [], _weight = [], _transposed = [], _bias = [], _output = [];
        private PackedMatrix _packed = PackedMatrix.Pack(new float[PackedMatrix.PanelWidth], 1, PackedMatrix.PanelWidth);

        [GlobalSetup]
        public void Setup()
        {
            (_input, _weight, _transposed) = Inputs();
            _packed = PackedMatrix.Pack(_weight, Inner, Columns);
            _bias = new float[Columns];
            _output = new float[Rows * Columns];
        }

        [Benchmark]
        public void RegisterTile() => MatrixMultiply.Multiply(_input, Rows, _packed, _bias, null, _output, Activation.None, threads: 1);

        [Benchmark(Baseline = true)]
        public void DotPerElement() => DotProducts(_input, _transposed, _output);

        /// <summary>
        /// Both products and a plain float32 loop (one sum per element, k = 0 .. K-1 in order) against a double reference on
        /// the benchmark's inputs. Passes (0) when the register tile's largest error is at most twice the plain loop's (the
        /// FlashAttention tests' criterion) and its output is the same, bit for bit, on 1 and 2 threads (the sample's claim
        /// that `--threads` changes no result). The tile's error is printed against the dot products' too: they sum each
        /// element in several vector accumulators, so they round less than one chain over k.
        /// </summary>
        public static int Check()
        {
            (float[] input, float[] weight, float[] transposed) = Inputs();
            PackedMatrix packed = PackedMatrix.Pack(weight, Inner, Columns);
            float[] bias = new float[Columns], tiled = new float[Rows * Columns], tiledTwoThreads = new float[Rows * Columns], dots = new float[Rows * Columns];
            MatrixMultiply.Multiply(input, Rows, packed, bias, null, tiled, Activation.None, threads: 1);
            MatrixMultiply.Multiply(input, Rows, packed, bias, null, tiledTwoThreads, Activation.None, threads: 2);
            DotProducts(input, transposed, dots);

            double tileError = 0, dotError = 0, plainError = 0;
            for (int row = 0; row < Rows; row++)
            {
                for (int column = 0; column < Columns; column++)
                {
                    double exact = 0;
                    float plain = 0;
                    for (int k = 0; k < Inner; k++)
                    {
                        exact += (double)input[row * Inner + k] * weight[k * Columns + column];
                        plain += input[row * Inner + k] * weight[k * Columns + column];
                    }

                    tileError = Math.Max(tileError, Math.Abs(tiled[row * Columns + column] - exact));
                    dotError = Math.Max(dotError, Math.Abs(dots[row * Columns + column] - exact));
                    plainError = Math.Max(plainError, Math.Abs(plain - exact));
                }
            }

            bool sameOnTwoThreads = tiled.AsSpan().SequenceEqual(tiledTwoThreads);
            bool pass = tileError <= 2 * plainError && sameOnTwoThreads;
            Console.WriteLine($"{Rows} x {Inner} times {Inner} x {Columns}, largest |error| against a double reference:");
            Console.WriteLine($"  register tile 6 x 16 (Vector256 FMA, packed B):   {tileError:E2}");
            Console.WriteLine($"  TensorPrimitives.Dot per element:                {dotError:E2}");
            Console.WriteLine($"  plain float32 loop (the criterion: tile <= 2x):  {plainError:E2}");
            Console.WriteLine($"  register tile on 2 threads identical to 1 thread: {sameOnTwoThreads}");
            Console.WriteLine(pass ? "PASS" : "FAIL");
            return pass ? 0 : 1;
        }

        /// <summary>Uniform values in [-1, 1), seed 15: the input [M, K], the weight [K, N] and its transpose [N, K].</summary>
        private static (float[] Input, float[] Weight, float[] Transposed) Inputs()
        {
            var random = new Random(15);
            float[] input = new float[Rows * Inner], weight = new float[Inner * Columns], transposed = new float[Columns * Inner];
            for (int index = 0; index < input.Length; index++)
            {
                input[index] = random.NextSingle() * 2 - 1;
            }

            for (int index = 0; index < weight.Length; index++)
            {
                weight[index] = random.NextSingle() * 2 - 1;
            }

            for (int k = 0; k < Inner; k++)
            {
                for (int column = 0; column < Columns; column++)
                {
                    transposed[column * Inner + k] = weight[k * Columns + column];
                }
            }

            return (input, weight, transposed);
        }

        private static void DotProducts(float[] input, float[] transposed, float[] output)
        {
            for (int row = 0; row < Rows; row++)
            {
                ReadOnlySpan<float> a = input.AsSpan(row * Inner, Inner);
                for (int column = 0; column < Columns; column++)
                {
                    output[row * Columns + column] = TensorPrimitives.Dot(a, transposed.AsSpan(column * Inner, Inner));
                }
            }
        }

        private sealed class FlopsConfig : ManualConfig
        {
            public FlopsConfig() => AddColumn(new FlopsColumn());
        }

        private sealed class FlopsColumn : IColumn
        {
            public string Id => "GFLOPs";
            public string ColumnName => "GFLOP/s";
            public bool AlwaysShow => true;
            public ColumnCategory Category => ColumnCategory.Custom;
            public int PriorityInCategory => 0;
            public bool IsNumeric => true;
            public UnitType UnitType => UnitType.Dimensionless;
            public string Legend => "2 M K N floating-point operations over the mean time (10^9 per second)";

            public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
            {
                double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
                return mean is double nanoseconds ? (Flops / nanoseconds).ToString("F1", CultureInfo.InvariantCulture) : "-";
            }

            public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

            public bool IsAvailable(Summary summary) => true;

            public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        }
    }
}
