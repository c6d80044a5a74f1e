using System;
using KernelGen.Engine;

namespace KernelGen.Engine
{
    /// <summary>
    /// What every row range of one kernel call reads and writes (<see cref="IRowRangeKernel"/>): the call's spans, counts,
    /// run-time masks and score inputs. Optional members left unset are empty (absent).
    /// </summary>
    /// <remarks>
    /// Fields, not properties: the engine's outer calls run at tier 0 on a kernel's first call, where every property
    /// accessor is a method of its own to compile (bench/RESULTS.md, "First call"). Always passed by <c>in</c>.
    /// </remarks>
    internal ref struct RowRangeArguments : IJobArguments<RowRangeArguments, RowRangeArguments.Pinned>
    {
        /// <summary>[Nq, d] query rows.</summary>
        public required ReadOnlySpan<float> Query;

        /// <summary>[Nk, d] key rows.</summary>
        public required ReadOnlySpan<float> Key;

        /// <summary>[Nk, d] value rows.</summary>
        public required ReadOnlySpan<float> Value;

        /// <summary>[Nq, d] output rows; each row written by exactly one row range.</summary>
        public required Span<float> Output;

        /// <summary>[Nq] log-sum-exp of each row; empty when the kernel returns none.</summary>
        public required Span<float> LogSumExp;

        /// <summary>The keys from <see cref="PackedFirstKey"/> on packed into 16-key blocks (see <see cref="KeyPacking"/>); empty for single rows.</summary>
        public ReadOnlySpan<float> PackedKeys;

        /// <summary>The first key of <see cref="PackedKeys"/>, a multiple of 16.</summary>
        public int PackedFirstKey;

        /// <summary>Nq, the query rows.</summary>
        public required int QueryCount;

        /// <summary>Nk, the keys (the kept ones of a compacted call).</summary>
        public required int KeyCount;

        /// <summary>[Nk]: false drops the key; empty when absent.</summary>
        public ReadOnlySpan<bool> KeyMask;

        /// <summary>Query row i's key flags start at i x <see cref="MaskStride"/>; empty when absent.</summary>
        public ReadOnlySpan<bool> Mask;

        /// <summary>The distance between two query rows of <see cref="Mask"/>.</summary>
        public int MaskStride;

        /// <summary>The kept-key map of a compacted call ([keys of the larger set + 1]); empty otherwise.</summary>
        public ReadOnlySpan<int> KeyPrefix;

        /// <summary>The head's score inputs (their bias pinned by the engine for the whole call).</summary>
        public required ScoreState Score;

        /// <inheritdoc/>
        public static unsafe void RunPinned<TPlan>(scoped in RowRangeArguments arguments, PinnedJob<Pinned, TPlan> job)
        {
            fixed (float* query = arguments.Query)
            fixed (float* key = arguments.Key)
            fixed (float* value = arguments.Value)
            fixed (float* output = arguments.Output)
            fixed (float* logSumExp = arguments.LogSumExp)
            fixed (float* packedKeys = arguments.PackedKeys)
            fixed (bool* keyMask = arguments.KeyMask)
            fixed (bool* mask = arguments.Mask)
            fixed (int* keyPrefix = arguments.KeyPrefix)
            {
                job.RunPinned(new Pinned
                {
                    Query = new(query, arguments.Query.Length),
                    Key = new(key, arguments.Key.Length),
                    Value = new(value, arguments.Value.Length),
                    Output = new(output, arguments.Output.Length),
                    LogSumExp = new(logSumExp, arguments.LogSumExp.Length),
                    PackedKeys = new(packedKeys, arguments.PackedKeys.Length),
                    PackedFirstKey = arguments.PackedFirstKey,
                    QueryCount = arguments.QueryCount,
                    KeyCount = arguments.KeyCount,
                    KeyMask = new(keyMask, arguments.KeyMask.Length),
                    Mask = new(mask, arguments.Mask.Length),
                    MaskStride = arguments.MaskStride,
                    KeyPrefix = new(keyPrefix, arguments.KeyPrefix.Length),
                    Score = arguments.Score,
                });
            }
        }

        /// <summary>The same arguments with every span as its pinned address and length, for the worker threads.</summary>
        internal readonly struct Pinned
        {
            public PinnedSpan<float> Query { get; init; }

            public PinnedSpan<float> Key { get; init; }

            public PinnedSpan<float> Value { get; init; }

            public PinnedSpan<float> Output { get; init; }

            public PinnedSpan<float> LogSumExp { get; init; }

            public PinnedSpan<float> PackedKeys { get; init; }

            public int PackedFirstKey { get; init; }

            public int QueryCount { get; init; }

            public int KeyCount { get; init; }

            public PinnedSpan<bool> KeyMask { get; init; }

            public PinnedSpan<bool> Mask { get; init; }

            public int MaskStride { get; init; }

            public PinnedSpan<int> KeyPrefix { get; init; }

            public ScoreState Score { get; init; }

            /// <summary>The arguments back as spans (valid while the pinning call runs).</summary>
            public RowRangeArguments Arguments => new()
            {
                Query = Query.Read,
                Key = Key.Read,
                Value = Value.Read,
                Output = Output.Write,
                LogSumExp = LogSumExp.Write,
                PackedKeys = PackedKeys.Read,
                PackedFirstKey = PackedFirstKey,
                QueryCount = QueryCount,
                KeyCount = KeyCount,
                KeyMask = KeyMask.Read,
                Mask = Mask.Read,
                MaskStride = MaskStride,
                KeyPrefix = KeyPrefix.Read,
                Score = Score,
            };
        }
    }
}
