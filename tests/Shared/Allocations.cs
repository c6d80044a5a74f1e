using System;

namespace KernelGen.Tests
{
    /// <summary>What a steady-state call allocates on the calling thread, for the tests that promise nothing per call.</summary>
    public static class Allocations
    {
        /// <summary>
        /// The bytes this thread allocated over <paramref name="calls"/> calls, in the cleanest of
        /// <paramref name="windows"/> windows, after <paramref name="warmCalls"/> calls past tiered compilation's 30. A
        /// gen-2 collection caused by tests running in parallel trims the shared array pool, and the next call then rents a
        /// fresh buffer once; an allocation per call shows in every window, so a kernel that allocates still fails.
        /// </summary>
        public static long InCleanestWindow(Action call, int warmCalls = 40, int calls = 20, int windows = 3)
        {
            for (int warm = 0; warm < warmCalls; warm++)
            {
                call();
            }

            long fewest = long.MaxValue;
            for (int window = 0; window < windows && fewest != 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < calls; i++)
                {
                    call();
                }

                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            return fewest;
        }
    }
}
