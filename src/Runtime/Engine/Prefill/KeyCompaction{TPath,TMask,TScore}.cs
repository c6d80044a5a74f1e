using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>keyMask alone on a prefill: the kept keys gathered once, the loops run over them.</summary>
    internal abstract class KeyCompaction<TPath, TMask, TScore> : EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        // JIT-time constants. AggressiveInlining because the tile loop's inlining budget is spent on the micro-kernels:
        // without it the JIT left these as calls in RunRowGroups (seen in DOTNET_JitDisasm), and the global-key code of a
        // kernel without globals stayed compiled in.
        /// <summary>Query rows from which gathering the keys keyMask keeps pays (the copy is then at most 1/8 of the reads).</summary>
        internal const int MinCompactedRows = 16;

        /// <summary>
        /// keyMask alone (no dense mask, no global keys): the kept keys and their values are gathered once into pooled
        /// buffers (O(Nk d), against the O(Nq Nk d) of the call) and the loops run over those alone, so a key dropped
        /// anywhere, even one in every 16, costs nothing. The kept keys keep their order, so every row's contiguous range
        /// in the original keys is a contiguous range of the kept ones: keyPrefix[j] = kept keys before key j maps it.
        /// </summary>
        internal static void ComputeCompacted(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, Span<float> logSumExp,
            ReadOnlySpan<bool> keyMask, int queryCount, int keyCount, in ScoreState score)
        {
            int[] prefix = ArrayPool<int>.Shared.Rent(keyCount + 1);
            try
            {
                // A flag is read by truthiness: any non-zero byte keeps the key (as the block bits read it).
                ReadOnlySpan<byte> flags = MemoryMarshal.AsBytes(keyMask);
                int kept = 0;
                for (int j = 0; j < keyCount; j++)
                {
                    prefix[j] = kept;
                    if (flags[j] != 0)
                    {
                        kept++;
                    }
                }

                prefix[keyCount] = kept;
                float[] keptKeys = ArrayPool<float>.Shared.Rent(Math.Max(1, kept * D));
                float[] keptValues = ArrayPool<float>.Shared.Rent(Math.Max(1, kept * D));
                try
                {
                    // Gathered by the prefix, not by a second read of the flags: the caller's keyMask may change while the
                    // call runs, and the copy must match the counts the buffers were sized by.
                    for (int j = 0, target = 0; j < keyCount; j++)
                    {
                        if (prefix[j + 1] != prefix[j])
                        {
                            key.Slice(j * D, D).CopyTo(keptKeys.AsSpan(target * D, D));
                            value.Slice(j * D, D).CopyTo(keptValues.AsSpan(target * D, D));
                            target++;
                        }
                    }

                    AttentionEngine<TPath, TMask, TScore>.Run(query, keptKeys.AsSpan(0, kept * D), keptValues.AsSpan(0, kept * D), output, logSumExp, default, default, 0, prefix.AsSpan(0, keyCount + 1),
                        queryCount, kept, score);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(keptValues);
                    ArrayPool<float>.Shared.Return(keptKeys);
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(prefix);
            }
        }
    }
}
