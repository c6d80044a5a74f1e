using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using System.Numerics.Tensors;

namespace KernelGen.MiniLM
{
    /// <summary>What is applied to each output row after the product: the bias always, then an optional residual and GELU.</summary>
    internal enum Activation
    {
        None,

        /// <summary>Exact (erf) GELU, <see cref="Gelu"/>.</summary>
        Gelu,
    }

    /// <summary>
    /// C = A B + bias (+ residual) (then GELU), A [M, K] row-major, B a <see cref="PackedMatrix"/>, C [M, N] row-major.
    /// <para>
    /// Why our own kernel and not <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per output
    /// element: a dot product loads two floats per multiply-add and ends in a horizontal sum, so it runs at the speed of
    /// the loads; the register tile below loads 2 vectors of B and broadcasts 6 floats of A for 12 vector FMAs (12 x 8
    /// multiply-adds per 8 loads) and never sums horizontally. bench/KernelGen.MiniLMBench times the two (768 x 384 times
    /// 384 x 1536, one thread); bench/RESULTS.md, section "The MiniLM sample's matrix product", has the figures. There is
    /// no Vector512 tile: the machine it was written on had no AVX-512 to test one; on AVX-512 machines the Vector256
    /// tile runs.
    /// </para>
    /// <para>
    /// Blocking: the rows are cut into blocks whose A rows fit in L2 (about 256 KiB: 168 rows at K = 384, 42 at K = 1536);
    /// within a block, each 16-column panel of B (K x 16 floats, 24 KiB at K = 384) is streamed once and reused by every
    /// 6-row tile of the block. Blocks go to threads (Parallel.For); each output element is always summed by the same FMA
    /// chain over k = 0 .. K-1 (the 6-row tile and the single-row tail do identical arithmetic per row), so the result does
    /// not depend on the blocking or on the thread count.
    /// </para>
    /// <para>
    /// The loops are compiled fully optimised on first use (AggressiveOptimization): a one-shot run such as `--check`
    /// would otherwise spend its first second in unoptimised and on-stack-replaced code.
    /// </para>
    /// </summary>
    internal static class MatrixMultiply
    {
        /// <summary>Rows per register tile: 6 rows x 2 Vector256 accumulators = 12 of the 16 ymm registers, + 2 for B, 1 for the broadcast.</summary>
        public const int TileRows = 6;

        /// <summary>Floats of A a row block may hold: 64 Ki floats = 256 KiB, half of a 512 KiB L2, the other half for B panels and C.</summary>
        private const int BlockFloats = 64 * 1024;

        public static void Multiply(float[] input, int rows, PackedMatrix weight, float[] bias, float[]? residual, float[] output, Activation activation, int threads)
        {
            int inner = weight.Rows, columns = weight.Columns;
            if (input.Length < (long)rows * inner)
            {
                throw new ArgumentException($"The input holds {input.Length} floats, fewer than {rows} rows x {inner}.", nameof(input));
            }

            if (output.Length < (long)rows * columns)
            {
                throw new ArgumentException($"The output holds {output.Length} floats, fewer than {rows} rows x {columns}.", nameof(output));
            }

            if (residual is not null && residual.Length < (long)rows * columns)
            {
                throw new ArgumentException($"The residual holds {residual.Length} floats, fewer than {rows} rows x {columns}.", nameof(residual));
            }

            if (bias.Length != columns)
            {
                throw new ArgumentException($"The bias has {bias.Length} floats, expected {columns}.", nameof(bias));
            }

            // Rows per block: as many whole tiles as fit the A budget, and at least 4 blocks per thread so threads finish together.
            int byCache = Math.Max(TileRows, BlockFloats / inner / TileRows * TileRows);
            int rowsPerQuarterThread = (rows + 4 * threads - 1) / (4 * threads);
            int byThreads = Math.Max(TileRows, (rowsPerQuarterThread + TileRows - 1) / TileRows * TileRows);
            int blockRows = threads > 1 ? Math.Min(byCache, byThreads) : byCache;
            int blocks = (rows + blockRows - 1) / blockRows;
            if (threads <= 1 || blocks == 1)
            {
                for (int block = 0; block < blocks; block++)
                {
                    RunBlock(input, weight, bias, residual, output, activation, block * blockRows, Math.Min(rows, (block + 1) * blockRows));
                }

                return;
            }

            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, block =>
                RunBlock(input, weight, bias, residual, output, activation, block * blockRows, Math.Min(rows, (block + 1) * blockRows)));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void RunBlock(float[] input, PackedMatrix weight, float[] bias, float[]? residual, float[] output, Activation activation, int rowStart, int rowEnd)
        {
            int inner = weight.Rows, columns = weight.Columns;
            ref float a = ref input[0];
            ref float c = ref output[0];
            for (int panel = 0; panel < columns / PackedMatrix.PanelWidth; panel++)
            {
                ref float b = ref weight.Panels[panel * inner * PackedMatrix.PanelWidth];
                int column = panel * PackedMatrix.PanelWidth;
                int row = rowStart;
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; row + TileRows <= rowEnd; row += TileRows)
                    {
                        Tile6x16(ref Unsafe.Add(ref a, row * inner), inner, ref b, ref Unsafe.Add(ref c, row * columns + column), columns);
                    }

                    for (; row < rowEnd; row++)
                    {
                        Tile1x16(ref Unsafe.Add(ref a, row * inner), inner, ref b, ref Unsafe.Add(ref c, row * columns + column));
                    }
                }
                else
                {
                    for (; row < rowEnd; row++)
                    {
                        ScalarRow(input.AsSpan(row * inner, inner), weight.Panels.AsSpan(panel * inner * PackedMatrix.PanelWidth, inner * PackedMatrix.PanelWidth),
                            output.AsSpan(row * columns + column, PackedMatrix.PanelWidth));
                    }
                }
            }

            // Epilogue, per row while the block is still in cache: + bias, + residual, GELU.
            for (int row = rowStart; row < rowEnd; row++)
            {
                Span<float> target = output.AsSpan(row * columns, columns);
                TensorPrimitives.Add(target, bias, target);
                if (residual is not null)
                {
                    TensorPrimitives.Add(target, residual.AsSpan(row * columns, columns), target);
                }

                if (activation == Activation.Gelu)
                {
                    Gelu.Apply(target);
                }
            }
        }

        /// <summary>
        /// Six rows of A times one 16-column panel: for k = 0 .. K-1, broadcast A[r, k] for each row r and FMA it with the
        /// panel's row k (two vectors) into that row's two accumulators.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Tile6x16(ref float a, int inner, ref float panel, ref float c, int columns)
        {
            ref float a1 = ref Unsafe.Add(ref a, inner);
            ref float a2 = ref Unsafe.Add(ref a, 2 * inner);
            ref float a3 = ref Unsafe.Add(ref a, 3 * inner);
            ref float a4 = ref Unsafe.Add(ref a, 4 * inner);
            ref float a5 = ref Unsafe.Add(ref a, 5 * inner);
            Vector256<float> c00 = Vector256<float>.Zero, c01 = Vector256<float>.Zero, c10 = Vector256<float>.Zero, c11 = Vector256<float>.Zero;
            Vector256<float> c20 = Vector256<float>.Zero, c21 = Vector256<float>.Zero, c30 = Vector256<float>.Zero, c31 = Vector256<float>.Zero;
            Vector256<float> c40 = Vector256<float>.Zero, c41 = Vector256<float>.Zero, c50 = Vector256<float>.Zero, c51 = Vector256<float>.Zero;
            for (int k = 0; k < inner; k++)
            {
                ref float row = ref Unsafe.Add(ref panel, k * PackedMatrix.PanelWidth);
                Vector256<float> b0 = Vector256.LoadUnsafe(ref row);
                Vector256<float> b1 = Vector256.LoadUnsafe(ref row, 8);
                Vector256<float> x = Vector256.Create(Unsafe.Add(ref a, k));
                c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
                c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                x = Vector256.Create(Unsafe.Add(ref a1, k));
                c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
                c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                x = Vector256.Create(Unsafe.Add(ref a2, k));
                c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
                c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                x = Vector256.Create(Unsafe.Add(ref a3, k));
                c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
                c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                x = Vector256.Create(Unsafe.Add(ref a4, k));
                c40 = Vector256.FusedMultiplyAdd(x, b0, c40);
                c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
                x = Vector256.Create(Unsafe.Add(ref a5, k));
                c50 = Vector256.FusedMultiplyAdd(x, b0, c50);
                c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            }

            c00.StoreUnsafe(ref c);
            c01.StoreUnsafe(ref c, 8);
            c10.StoreUnsafe(ref c, (nuint)columns);
            c11.StoreUnsafe(ref c, (nuint)columns + 8);
            c20.StoreUnsafe(ref c, (nuint)(2 * columns));
            c21.StoreUnsafe(ref c, (nuint)(2 * columns) + 8);
            c30.StoreUnsafe(ref c, (nuint)(3 * columns));
            c31.StoreUnsafe(ref c, (nuint)(3 * columns) + 8);
            c40.StoreUnsafe(ref c, (nuint)(4 * columns));
            c41.StoreUnsafe(ref c, (nuint)(4 * columns) + 8);
            c50.StoreUnsafe(ref c, (nuint)(5 * columns));
            c51.StoreUnsafe(ref c, (nuint)(5 * columns) + 8);
        }

        /// <summary>One row of A times one panel, with the same per-row arithmetic as <see cref="Tile6x16"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Tile1x16(ref float a, int inner, ref float panel, ref float c)
        {
            Vector256<float> c0 = Vector256<float>.Zero, c1 = Vector256<float>.Zero;
            for (int k = 0; k < inner; k++)
            {
                ref float row = ref Unsafe.Add(ref panel, k * PackedMatrix.PanelWidth);
                Vector256<float> x = Vector256.Create(Unsafe.Add(ref a, k));
                c0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row), c0);
                c1 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref row, 8), c1);
            }

            c0.StoreUnsafe(ref c);
            c1.StoreUnsafe(ref c, 8);
        }

        /// <summary>The path without vector hardware: the same FMA chain per element, one element at a time.</summary>
        private static void ScalarRow(ReadOnlySpan<float> a, ReadOnlySpan<float> panel, Span<float> c)
        {
            for (int column = 0; column < PackedMatrix.PanelWidth; column++)
            {
                float sum = 0;
                for (int k = 0; k < a.Length; k++)
                {
                    sum = MathF.FusedMultiplyAdd(a[k], panel[k * PackedMatrix.PanelWidth + column], sum);
                }

                c[column] = sum;
            }
        }
    }
}
