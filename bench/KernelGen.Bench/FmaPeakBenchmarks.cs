using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace KernelGen.Bench
{
    /// <summary>
    /// This machine's single-core float32 FMA peak: 12 independent Vector512 FMA chains (enough to cover the FMA latency
    /// on both ports), 2^20 iterations. FLOPs per call = 2^20 * 12 * 16 lanes * 2 = 402,653,184.
    /// </summary>
    public class FmaPeakBenchmarks
    {
        public const long FlopsPerCall = (1L << 20) * 12 * 16 * 2;

        [Benchmark]
        public float Vector512FmaLoop()
        {
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
            Vector512<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            Vector512<float> m = Vector512.Create(0.999999f), c = Vector512.Create(1e-7f);
            for (int i = 0; i < 1 << 20; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, m, c);
                a1 = Vector512.FusedMultiplyAdd(a1, m, c);
                a2 = Vector512.FusedMultiplyAdd(a2, m, c);
                a3 = Vector512.FusedMultiplyAdd(a3, m, c);
                a4 = Vector512.FusedMultiplyAdd(a4, m, c);
                a5 = Vector512.FusedMultiplyAdd(a5, m, c);
                a6 = Vector512.FusedMultiplyAdd(a6, m, c);
                a7 = Vector512.FusedMultiplyAdd(a7, m, c);
                a8 = Vector512.FusedMultiplyAdd(a8, m, c);
                a9 = Vector512.FusedMultiplyAdd(a9, m, c);
                a10 = Vector512.FusedMultiplyAdd(a10, m, c);
                a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            }

            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
    }
}
