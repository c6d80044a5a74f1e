using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// Masks a 16-key block of one query row's scores in a partial tile: lanes whose key lies outside the row's range
    /// [start, end), and is not a visible global key, become negative infinity. Full tiles never call this.
    /// </summary>
    /// <remarks>
    /// Written once per vector width: .NET 10 has no public abstraction over Vector128/256/512 to write one generic body
    /// with (ISimdVector is internal; Vector&lt;T&gt; is one fixed width per process), so each width's body is kept and the
    /// widths are tested to agree bit for bit where the algorithm allows.
    /// </remarks>
    internal static class TileMask
    {
        /// <summary>scores[t] = -inf unless start &lt;= blockStart + t &lt; end.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Apply(Span<float> scores, int blockStart, int start, int end) =>
            Apply(scores, blockStart, start, end, 0, 0);

        /// <summary>
        /// Sets to -inf the lanes of a 16-score block whose bit in <paramref name="keptLanes"/> is clear (bit t: lane t
        /// kept): a run-time mask's partial block.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ApplyBits(Span<float> scores, int keptLanes) =>
            Apply(scores, blockStart: 0, start: 0, end: 0, globalLanes: keptLanes, visibleEnd: KeyPacking.PackedBlockKeys); // an empty range: only the kept lanes stay

        /// <summary>
        /// scores[t] = -inf unless start &lt;= blockStart + t &lt; end, or bit t of <paramref name="globalLanes"/> is set and
        /// blockStart + t &lt; <paramref name="visibleEnd"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Apply(Span<float> scores, int blockStart, int start, int end, int globalLanes, int visibleEnd)
        {
            if (scores.Length < KeyPacking.PackedBlockKeys)
            {
                throw new ArgumentException("A tile block holds 16 scores.", nameof(scores));
            }

            ref float first = ref MemoryMarshal.GetReference(scores);
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<int> keys = Vector512<int>.Indices + Vector512.Create(blockStart);
                Vector512<int> inRange = Vector512.GreaterThanOrEqual(keys, Vector512.Create(start)) & Vector512.LessThan(keys, Vector512.Create(end));
                Vector512<int> global = ~Vector512.Equals(Vector512.Create(globalLanes) & Vector512.Create(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768), Vector512<int>.Zero)
                    & Vector512.LessThan(keys, Vector512.Create(visibleEnd));
                Vector512<float> allowed = (inRange | global).AsSingle();
                Vector512.ConditionalSelect(allowed, Vector512.LoadUnsafe(ref first), Vector512.Create(float.NegativeInfinity)).StoreUnsafe(ref first);
                return;
            }

            if (Vector256.IsHardwareAccelerated)
            {
                // The same in two halves of 8 lanes (the path Intel machines without fast AVX-512 take).
                for (int half = 0; half < 16; half += 8)
                {
                    Vector256<int> keys = Vector256<int>.Indices + Vector256.Create(blockStart + half);
                    Vector256<int> inRange = Vector256.GreaterThanOrEqual(keys, Vector256.Create(start)) & Vector256.LessThan(keys, Vector256.Create(end));
                    Vector256<int> global = ~Vector256.Equals(Vector256.Create(globalLanes >> half) & Vector256.Create(1, 2, 4, 8, 16, 32, 64, 128), Vector256<int>.Zero)
                        & Vector256.LessThan(keys, Vector256.Create(visibleEnd));
                    Vector256<float> allowed = (inRange | global).AsSingle();
                    Vector256.ConditionalSelect(allowed, Vector256.LoadUnsafe(ref first, (nuint)half), Vector256.Create(float.NegativeInfinity))
                        .StoreUnsafe(ref first, (nuint)half);
                }

                return;
            }

            for (int t = 0; t < KeyPacking.PackedBlockKeys; t++)
            {
                int key = blockStart + t;
                bool visible = (key >= start && key < end) || (((globalLanes >> t) & 1) != 0 && key < visibleEnd);
                if (!visible)
                {
                    Unsafe.Add(ref first, t) = float.NegativeInfinity;
                }
            }
        }
    }
}
