using System;

namespace KernelGen.MiniLM
{
    /// <summary>
    /// A constant right-hand matrix B [K, N] (a layer's weight, stored [inputs, outputs]) repacked once into column panels
    /// of <see cref="PanelWidth"/>: panel p holds columns [16p, 16p + 16) row after row, so the multiply's inner loop
    /// reads 16 consecutive floats per k (two Vector256 loads) from one contiguous stream of K x 16 floats.
    /// </summary>
    internal sealed class PackedMatrix
    {
        /// <summary>Columns per panel: two Vector256 of floats, the width of <see cref="MatrixMultiply"/>'s register tile.</summary>
        public const int PanelWidth = 16;

        private PackedMatrix(float[] panels, int rows, int columns)
        {
            Panels = panels;
            Rows = rows;
            Columns = columns;
        }

        /// <summary>K: the inner dimension (the layer's inputs).</summary>
        public int Rows { get; }

        /// <summary>N: the layer's outputs, a multiple of <see cref="PanelWidth"/>.</summary>
        public int Columns { get; }

        /// <summary>[N / 16][K][16]: element (k, n) at ((n / 16) * K + k) * 16 + n % 16.</summary>
        public float[] Panels { get; }

        public static PackedMatrix Pack(ReadOnlySpan<float> rowMajor, int rows, int columns)
        {
            if (columns % PanelWidth != 0)
            {
                throw new ArgumentException($"The column count {columns} is not a multiple of {PanelWidth}; pad the matrix.", nameof(columns));
            }

            if (rowMajor.Length != rows * columns)
            {
                throw new ArgumentException($"The matrix has {rowMajor.Length} elements, expected {rows} x {columns}.", nameof(rowMajor));
            }

            float[] panels = new float[rows * columns];
            for (int panel = 0; panel < columns / PanelWidth; panel++)
            {
                for (int k = 0; k < rows; k++)
                {
                    rowMajor.Slice(k * columns + panel * PanelWidth, PanelWidth).CopyTo(panels.AsSpan((panel * rows + k) * PanelWidth, PanelWidth));
                }
            }

            return new PackedMatrix(panels, rows, columns);
        }
    }
}
