using System;
using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// The generator's view of the mask (the header pictures and work figures, through the linked MaskGeometry.cs) against
    /// the contract written out independently, over random specs and shapes including keys past Nk; and the pair counts
    /// the header quotes against a brute-force count.
    /// </summary>
    public sealed class MaskMathTests
    {
        private static bool Contract(MaskSpec mask, int row, int key, int queryCount, int keyCount)
        {
            long p = (long)row + keyCount - queryCount;
            if (key < 0 || key >= keyCount || (mask.Causal && key > p))
            {
                return false;
            }

            return !mask.HasWindow || (p - mask.WindowLeft <= key && key <= p + mask.WindowRight) || mask.GlobalPositions.Contains(key) || mask.GlobalPositions.Any(g => g == p);
        }

        [Fact]
        public void IsAllowedAndAllowedPairs_MatchTheContract_OnRandomSpecsAndShapes()
        {
            var random = new Random(7);
            for (int trial = 0; trial < 300; trial++)
            {
                bool causal = random.Next(2) == 0, hasWindow = random.Next(3) != 0;
                int[] globals = hasWindow ? Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(0, 40)).Distinct().OrderBy(g => g).ToArray() : Array.Empty<int>();
                var mask = new MaskSpec(causal, hasWindow, hasWindow ? random.Next(0, 20) : 0, hasWindow ? random.Next(0, 20) : 0, new EquatableArray<int>(globals));
                int queryCount = random.Next(0, 40), keyCount = random.Next(0, 40);
                long allowed = 0;
                for (int row = 0; row < queryCount; row++)
                {
                    for (int key = -2; key < keyCount + 3; key++)
                    {
                        bool expected = Contract(mask, row, key, queryCount, keyCount);
                        Assert.True(expected == MaskMath.IsAllowed(mask, row, key, queryCount, keyCount), $"{mask}, {queryCount} x {keyCount}: row {row}, key {key} should be {expected}");
                        allowed += expected ? 1 : 0;
                    }
                }

                Assert.Equal(allowed, MaskMath.AllowedPairs(mask, queryCount, keyCount));
            }
        }
    }
}
