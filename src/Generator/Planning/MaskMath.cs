using KernelGen.Engine;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning
{
    /// <summary>
    /// The mask contract evaluated at compile time, for the header's picture and figures, through MaskGeometry: the same
    /// file the runtime's engine and AttentionSpec.IsAllowed use, so the pictures, the kernels and the reference agree.
    /// </summary>
    internal static class MaskMath
    {
        public static bool IsAllowed(MaskSpec mask, int queryRow, int keyIndex, int queryCount, int keyCount)
        {
            long position = (long)queryRow + keyCount - queryCount;
            return MaskGeometry.IsAllowed(position, keyIndex, keyCount, mask.Causal, mask.HasWindow, mask.WindowLeft, mask.WindowRight,
                rowIsGlobal: IsGlobal(mask, position), keyIsGlobal: IsGlobal(mask, keyIndex));
        }

        /// <summary>The score pairs a kernel computes for Nq x Nk (each row's range plus the global keys outside it).</summary>
        public static long AllowedPairs(MaskSpec mask, int queryCount, int keyCount)
        {
            long total = 0;
            for (int row = 0; row < queryCount; row++)
            {
                long position = (long)row + keyCount - queryCount;
                MaskGeometry.RowRange(position, keyCount, mask.Causal, mask.HasWindow, mask.WindowLeft, mask.WindowRight, IsGlobal(mask, position),
                    out int start, out int end, out int visibleEnd);
                total += end - start;
                if (mask.HasWindow && !IsGlobal(mask, position))
                {
                    foreach (int global in mask.GlobalPositions)
                    {
                        if (global < visibleEnd && (global < start || global >= end))
                        {
                            total++;
                        }
                    }
                }
            }

            return total;
        }

        private static bool IsGlobal(MaskSpec mask, long position)
        {
            foreach (int global in mask.GlobalPositions)
            {
                if (global == position)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
