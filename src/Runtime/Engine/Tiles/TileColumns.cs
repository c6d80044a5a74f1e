using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// The last columns of a tile's accumulate when d is not a multiple of the tile's width: 8, then 4 columns, then
    /// single ones, each row over every key in order (the order a row's result depends on). 8-lane chunks are fused
    /// multiply-adds, narrower ones multiply then add, as in the paths' unrolled row code.
    /// </summary>
    internal static class TileColumns
    {
        private const int KeyBlock = AttentionEngine.KeyBlock;

        public static void Vector256(ref float accumulatorStart, ReadOnlySpan<float> corrections, ref float weightStart, ref float valueRows, int keyCount, int rows, int d, int column)
        {
            for (int row = 0; row < rows; row++)
            {
                Vector256<float> sum = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref accumulatorStart, (nuint)(row * d + column)) * corrections[row];
                for (int key = 0; key < keyCount; key++)
                {
                    Vector256<float> values = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref valueRows, (nuint)(key * d + column));
                    sum = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(System.Runtime.Intrinsics.Vector256.Create(Unsafe.Add(ref weightStart, row * KeyBlock + key)), values, sum);
                }

                sum.StoreUnsafe(ref accumulatorStart, (nuint)(row * d + column));
            }
        }

        public static void Vector128(ref float accumulatorStart, ReadOnlySpan<float> corrections, ref float weightStart, ref float valueRows, int keyCount, int rows, int d, int column)
        {
            for (int row = 0; row < rows; row++)
            {
                Vector128<float> sum = System.Runtime.Intrinsics.Vector128.LoadUnsafe(ref accumulatorStart, (nuint)(row * d + column)) * corrections[row];
                for (int key = 0; key < keyCount; key++)
                {
                    Vector128<float> values = System.Runtime.Intrinsics.Vector128.LoadUnsafe(ref valueRows, (nuint)(key * d + column));
                    sum = System.Runtime.Intrinsics.Vector128.Create(Unsafe.Add(ref weightStart, row * KeyBlock + key)) * values + sum;
                }

                sum.StoreUnsafe(ref accumulatorStart, (nuint)(row * d + column));
            }
        }

        public static void Scalar(ref float accumulatorStart, ReadOnlySpan<float> corrections, ref float weightStart, ref float valueRows, int keyCount, int rows, int d, int column)
        {
            for (int row = 0; row < rows; row++)
            {
                float sum = Unsafe.Add(ref accumulatorStart, row * d + column) * corrections[row];
                for (int key = 0; key < keyCount; key++)
                {
                    sum = Unsafe.Add(ref weightStart, row * KeyBlock + key) * Unsafe.Add(ref valueRows, key * d + column) + sum;
                }

                Unsafe.Add(ref accumulatorStart, row * d + column) = sum;
            }
        }
    }
}
