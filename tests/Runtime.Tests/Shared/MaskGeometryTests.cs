using System;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The one mask rule (Shared/MaskGeometry.cs, behind AttentionSpec.IsAllowed and the engine's row ranges) against the
    /// contract written out independently here, over random specs and shapes, including keys and positions outside the
    /// key span (keys past Nk and below 0 exist for no query; rows with p &lt; 0 when Nq &gt; Nk).
    /// </summary>
    public sealed class MaskGeometryTests
    {
        /// <summary>The contract, straight from the README: p = i + Nk - Nq; causal hides j &gt; p; a window keeps p - left .. p + right, global keys and global rows.</summary>
        public static bool Contract(bool causal, (int Left, int Right)? window, int[] globals, int row, int key, int queryCount, int keyCount)
        {
            long p = (long)row + keyCount - queryCount;
            if (key < 0 || key >= keyCount)
            {
                return false;
            }

            if (causal && key > p)
            {
                return false;
            }

            return window is not { } w || (p - w.Left <= key && key <= p + w.Right) || globals.Contains(key) || globals.Any(g => g == p);
        }

        [Fact]
        public void IsAllowed_MatchesTheContract_OnRandomSpecsAndShapes()
        {
            var random = new Random(20261201);
            int checkedPairs = 0;
            for (int trial = 0; trial < 300; trial++)
            {
                bool causal = random.Next(2) == 0;
                (int, int)? window = random.Next(3) == 0 ? null : (random.Next(0, 20), random.Next(0, 20));
                int[] globals = Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(0, 40)).Distinct().ToArray();
                var spec = new AttentionSpec(8, 0f, causal, window is { } w ? new AttentionWindow(w.Item1, w.Item2) : null, globals);
                int queryCount = random.Next(0, 40), keyCount = random.Next(0, 40);
                for (int row = 0; row < queryCount; row++)
                {
                    for (int key = -2; key < keyCount + 3; key++)
                    {
                        bool expected = Contract(causal, window, globals, row, key, queryCount, keyCount);
                        Assert.True(expected == spec.IsAllowed(row, key, queryCount, keyCount),
                            $"causal {causal}, window {window}, globals [{string.Join(", ", globals)}], {queryCount} x {keyCount}: row {row}, key {key} should be {expected}");
                        checkedPairs++;
                    }
                }
            }

            Assert.True(checkedPairs > 50_000, $"only {checkedPairs} pairs checked");
        }
    }
}
