using System;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Planning
{
    /// <summary>
    /// The mask contract evaluated at compile time, for the header's picture and figures. It states the same formula as the
    /// runtime's AttentionSpec.IsAllowed; the differential tests check the kernels against that one.
    /// </summary>
    internal static class MaskMath
    {
        public static bool IsAllowed(MaskSpec mask, int queryRow, int keyIndex, int queryCount, int keyCount)
        {
            long position = (long)queryRow + keyCount - queryCount;
            if (mask.Causal && keyIndex > position)
            {
                return false;
            }

            if (!mask.HasWindow)
            {
                return true;
            }

            return (position - mask.WindowLeft <= keyIndex && keyIndex <= position + mask.WindowRight)
                || IsGlobal(mask, keyIndex)
                || (position >= 0 && position <= int.MaxValue && IsGlobal(mask, (int)position));
        }

        /// <summary>How many (query, key) pairs the mask allows, counted row by row from the key ranges the kernel visits.</summary>
        public static long AllowedPairs(MaskSpec mask, int queryCount, int keyCount)
        {
            long total = 0;
            for (int row = 0; row < queryCount; row++)
            {
                long position = (long)row + keyCount - queryCount;
                long visibleEnd = mask.Causal ? Math.Max(0, Math.Min(keyCount, position + 1)) : keyCount;
                if (!mask.HasWindow || (position >= 0 && IsGlobal(mask, (int)position)))
                {
                    total += visibleEnd;
                    continue;
                }

                long start = Clamp(position - mask.WindowLeft, 0, visibleEnd);
                long end = Clamp(position + mask.WindowRight + 1, start, visibleEnd);
                total += end - start;
                foreach (int global in mask.GlobalPositions)
                {
                    if (global < visibleEnd && (global < start || global >= end))
                    {
                        total++;
                    }
                }
            }

            return total;
        }

        private static long Clamp(long value, long min, long max) => value < min ? min : value > max ? max : value;

        private static bool IsGlobal(MaskSpec mask, int position)
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
