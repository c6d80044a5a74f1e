using System;
using System.Threading;

namespace KernelGen
{
    /// <summary>
    /// Spreads a kernel's row groups over a few dedicated worker threads. Each row group is computed by one thread with
    /// the same code whatever the thread count, so results are bit-identical for any <see cref="MaxDegreeOfParallelism"/>.
    /// Nothing is allocated per call: the workers, their signals and one job object per kernel type are created once.
    /// </summary>
    public static class AttentionThreading
    {
        /// <summary>Multiply-adds a call must have per thread before a second thread is worth waking: a tenth of a millisecond or so of tile work, well above the cost of waking one (bench/RESULTS.md, "Threads and scaling with N").</summary>
        public const long MinWorkPerThread = 1L << 22;

        /// <summary>
        /// The same for one long row split into key chunks: a single query row streams K and V from memory with no reuse,
        /// so it runs several times slower per multiply-add than a tile (bench/RESULTS.md, "Decode step");
        /// 2048 keys at d = 128 (two chunks) is the smallest row worth a second thread.
        /// </summary>
        public const long MinChunkWorkPerThread = MinWorkPerThread / 16;

        /// <summary>
        /// Keys per chunk when a single query row is split across threads (<see cref="ForKeyChunks{TKernel}"/>). Rows of
        /// at least twice this many keys are always computed in chunks of this size, whatever the thread count.
        /// </summary>
        public const int ChunkKeys = 1024;

        private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

        /// <summary>
        /// The most threads one kernel call uses (1 = single-threaded). Process-wide; defaults to the processor count.
        /// </summary>
        public static int MaxDegreeOfParallelism
        {
            get => Volatile.Read(ref s_maxDegreeOfParallelism);
            set
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
                Volatile.Write(ref s_maxDegreeOfParallelism, value);
            }
        }

        /// <summary>
        /// Computes rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of a kernel, in groups of
        /// <paramref name="rowTile"/> rows, on up to <see cref="MaxDegreeOfParallelism"/> threads; <paramref name="work"/>
        /// (multiply-adds, an estimate) decides how many. Returns when every row is written.
        /// </summary>
        public static unsafe void ForRowGroups<TKernel>(
            ReadOnlySpan<float> query,
            ReadOnlySpan<float> key,
            ReadOnlySpan<float> value,
            Span<float> output,
            Span<float> logSumExp,
            ReadOnlySpan<float> packedKeys,
            int packedFirstKey,
            int queryCount,
            int keyCount,
            int rowStart,
            int rowEnd,
            int rowTile,
            long work,
            ReadOnlySpan<bool> keyMask = default,
            ReadOnlySpan<bool> mask = default,
            int maskStride = 0,
            ReadOnlySpan<int> keyPrefix = default,
            in Engine.ScoreState score = default)
            where TKernel : IRowRangeKernel
        {
            int threads = ThreadsFor(work, MinWorkPerThread, units: (rowEnd - rowStart) / rowTile);
            if (threads <= 1 || !KernelWorkers.TryAcquire())
            {
                TKernel.Run(query, key, value, output, logSumExp, packedKeys, packedFirstKey, queryCount, keyCount, rowStart, rowEnd, keyMask, mask, maskStride, keyPrefix, score);
                return;
            }

            try
            {
                fixed (float* queryPointer = query)
                fixed (float* keyPointer = key)
                fixed (float* valuePointer = value)
                fixed (float* outputPointer = output)
                fixed (float* packedPointer = packedKeys)
                fixed (float* logSumExpPointer = logSumExp)
                fixed (bool* keyMaskPointer = keyMask)
                fixed (bool* maskPointer = mask)
                fixed (int* keyPrefixPointer = keyPrefix)
                {
                    RowJob<TKernel> job = RowJob<TKernel>.Instance;
                    job.Prepare(
                        queryPointer, query.Length, keyPointer, key.Length, valuePointer, value.Length, outputPointer, output.Length,
                        logSumExpPointer, logSumExp.Length, packedPointer, packedKeys.Length, packedFirstKey, queryCount, keyCount, rowStart, rowEnd, rowTile, threads);
                    job.PrepareMasks(keyMaskPointer, keyMask.Length, maskPointer, mask.Length, maskStride, keyPrefixPointer, keyPrefix.Length, score);
                    KernelWorkers.Run(job, threads);
                }
            }
            finally
            {
                KernelWorkers.Release();
            }
        }

        /// <summary>
        /// Computes the chunk states of one long query row (see <see cref="IKeyChunkKernel"/>) on up to
        /// <see cref="MaxDegreeOfParallelism"/> threads. The chunks are fixed by <paramref name="chunkKeys"/>, never by the
        /// thread count, and are merged afterwards in chunk order, so the result is the same on any number of threads.
        /// </summary>
        public static unsafe void ForKeyChunks<TKernel>(
            ReadOnlySpan<float> queryRow,
            ReadOnlySpan<float> key,
            ReadOnlySpan<float> value,
            Span<float> partials,
            int rangeStart,
            int rangeEnd,
            int chunkKeys,
            int row = 0,
            int position = 0,
            ReadOnlySpan<bool> keyMask = default,
            ReadOnlySpan<bool> rowMask = default,
            in Engine.ScoreState score = default)
            where TKernel : IKeyChunkKernel
        {
            int chunks = (int)(((long)rangeEnd - rangeStart + chunkKeys - 1) / chunkKeys);
            int threads = ThreadsFor((long)(rangeEnd - rangeStart) * queryRow.Length, MinChunkWorkPerThread, units: chunks);
            if (threads <= 1 || !KernelWorkers.TryAcquire())
            {
                TKernel.Run(queryRow, key, value, partials, rangeStart, rangeEnd, chunkKeys, 0, chunks, row, position, keyMask, rowMask, score);
                return;
            }

            try
            {
                fixed (float* queryPointer = queryRow)
                fixed (float* keyPointer = key)
                fixed (float* valuePointer = value)
                fixed (float* partialPointer = partials)
                fixed (bool* keyMaskPointer = keyMask)
                fixed (bool* rowMaskPointer = rowMask)
                {
                    ChunkJob<TKernel> job = ChunkJob<TKernel>.Instance;
                    job.Prepare(queryPointer, queryRow.Length, keyPointer, key.Length, valuePointer, value.Length, partialPointer, partials.Length,
                        rangeStart, rangeEnd, chunkKeys, chunks);
                    job.PrepareMasks(row, position, keyMaskPointer, keyMask.Length, rowMaskPointer, rowMask.Length, score);
                    KernelWorkers.Run(job, threads);
                }
            }
            finally
            {
                KernelWorkers.Release();
            }
        }

        /// <summary>
        /// Computes every head group of a batched call (see <see cref="BatchedAttention"/>) on up to
        /// <see cref="MaxDegreeOfParallelism"/> threads, one kernel call of <paramref name="keyHeadsPerCall"/> key/value heads
        /// per claim. With a single call the kernel call itself may spread its rows over the threads instead.
        /// </summary>
        internal static unsafe void ForHeadGroups<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>(BatchedShape shape, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments,
            ReadOnlySpan<ItemRows> items, ReadOnlySpan<float> standardSlopes, long work, int keyHeadsPerCall)
            where TPath : struct, Engine.IHeadDimensionPath
            where TMask : struct, Engine.IAttentionMask
            where TScore : struct, Engine.IScoreTransform
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            int groups = checked((int)((long)shape.Batch * (shape.KeyValueHeads / keyHeadsPerCall)));
            int threads = ThreadsFor(work, MinWorkPerThread, units: groups);
            if (threads <= 1 || !KernelWorkers.TryAcquire())
            {
                for (int group = 0; group < groups; group++)
                {
                    BatchedAttention.RunGroup<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>(shape, group, keyHeadsPerCall, arguments, items, standardSlopes);
                }

                return;
            }

            try
            {
                fixed (TQuery* queryPointer = arguments.Query)
                fixed (TKeyValue* keyPointer = arguments.Key)
                fixed (TKeyValue* valuePointer = arguments.Value)
                fixed (TOutput* outputPointer = arguments.Output)
                fixed (ItemRows* itemPointer = items)
                fixed (float* logSumExpPointer = arguments.LogSumExp)
                fixed (bool* keyMaskPointer = arguments.KeyMask)
                fixed (bool* maskPointer = arguments.Mask)
                fixed (float* slopePointer = arguments.AlibiSlopes)
                fixed (float* biasPointer = arguments.Bias)
                fixed (float* sinkPointer = arguments.Sinks)
                fixed (float* standardSlopePointer = standardSlopes)
                {
                    HeadJob<TPath, TMask, TScore, TQuery, TKeyValue, TOutput> job = HeadJob<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>.Instance;
                    job.Prepare(shape, keyHeadsPerCall, arguments.Batch, arguments.Scale,
                        new(queryPointer, arguments.Query.Length), new(keyPointer, arguments.Key.Length), new(valuePointer, arguments.Value.Length),
                        new(outputPointer, arguments.Output.Length), new(logSumExpPointer, arguments.LogSumExp.Length),
                        new(itemPointer, items.Length), new(keyMaskPointer, arguments.KeyMask.Length), new(maskPointer, arguments.Mask.Length),
                        new(slopePointer, arguments.AlibiSlopes.Length), new(biasPointer, arguments.Bias.Length), new(sinkPointer, arguments.Sinks.Length),
                        new(standardSlopePointer, standardSlopes.Length), groups);
                    KernelWorkers.Run(job, threads);
                }
            }
            finally
            {
                KernelWorkers.Release();
            }
        }

        /// <summary>Threads for one call: at most MaxDegreeOfParallelism, the units of work, the processors, and work / minimum.</summary>
        private static int ThreadsFor(long work, long minWorkPerThread, int units) =>
            (int)Math.Min(Math.Min(MaxDegreeOfParallelism, units), Math.Min(Math.Max(1, work / minWorkPerThread), KernelWorkers.MaxThreads));

        /// <summary>A span pinned by the calling thread, as workers see it: its address and length.</summary>
        private readonly unsafe struct PinnedSpan<T>
            where T : unmanaged
        {
            private readonly T* _pointer;
            private readonly int _length;

            public PinnedSpan(T* pointer, int length)
            {
                _pointer = pointer;
                _length = length;
            }

            public ReadOnlySpan<T> Read => new(_pointer, _length);

            public Span<T> Write => new(_pointer, _length);
        }

        /// <summary>Work split into numbered claims; every thread takes the next unclaimed one until none is left.</summary>
        private abstract class ClaimJob : KernelWorkers.Job
        {
            private int _claims;
            private int _claimed;

            public sealed override void Cancel() => Volatile.Write(ref _claimed, _claims);

            public sealed override void Execute()
            {
                while (true)
                {
                    int claim = Interlocked.Increment(ref _claimed) - 1;
                    if (claim >= _claims)
                    {
                        return;
                    }

                    Run(claim);
                }
            }

            /// <summary>Called by the preparing thread before the job is started; no worker reads the job then.</summary>
            protected void Reset(int claims)
            {
                _claims = claims;
                Volatile.Write(ref _claimed, 0);
            }

            protected abstract void Run(int claim);
        }

        /// <summary>One parallel call of a kernel's rows: claim c is a run of whole row groups, counted from the last rows.</summary>
        private sealed unsafe class RowJob<TKernel> : ClaimJob
            where TKernel : IRowRangeKernel
        {
            public static readonly RowJob<TKernel> Instance = new();

            private PinnedSpan<float> _query, _key, _value, _output, _logSumExp, _packed;
            private int _packedFirstKey, _queryCount, _keyCount, _rowStart, _rowEnd, _chunkRows;
            private PinnedSpan<bool> _keyMask, _mask;
            private PinnedSpan<int> _keyPrefix;
            private int _maskStride;
            private Engine.ScoreState _score;

            /// <summary>
            /// The run-time masks of the call, the kept-key map of a compacted call (null and 0 when absent) and the head's
            /// score inputs (their bias pinned by the caller until the job ends).
            /// </summary>
            public void PrepareMasks(bool* keyMask, int keyMaskLength, bool* mask, int maskLength, int maskStride, int* keyPrefix, int keyPrefixLength,
                in Engine.ScoreState score)
            {
                _score = score;
                _keyMask = new PinnedSpan<bool>(keyMask, keyMaskLength);
                _mask = new PinnedSpan<bool>(mask, maskLength);
                _keyPrefix = new PinnedSpan<int>(keyPrefix, keyPrefixLength);
                _maskStride = maskStride;
            }

            public void Prepare(
                float* query, int queryLength, float* key, int keyLength, float* value, int valueLength, float* output, int outputLength,
                float* logSumExp, int logSumExpLength, float* packed, int packedLength, int packedFirstKey, int queryCount, int keyCount, int rowStart, int rowEnd,
                int rowTile, int threads)
            {
                _logSumExp = new PinnedSpan<float>(logSumExp, logSumExpLength);
                _query = new PinnedSpan<float>(query, queryLength);
                _key = new PinnedSpan<float>(key, keyLength);
                _value = new PinnedSpan<float>(value, valueLength);
                _output = new PinnedSpan<float>(output, outputLength);
                _packed = new PinnedSpan<float>(packed, packedLength);
                (_packedFirstKey, _queryCount, _keyCount, _rowStart, _rowEnd) = (packedFirstKey, queryCount, keyCount, rowStart, rowEnd);

                // About 32 claims per thread: a claim (one interlocked increment) costs far less than a row group, and small
                // claims even out rows of unequal cost, such as the group holding global rows, which scans every key and,
                // being among the first rows, is claimed last.
                int groups = (rowEnd - rowStart) / rowTile;
                _chunkRows = Math.Max(1, groups / (threads * 32)) * rowTile;
                Reset((rowEnd - rowStart + _chunkRows - 1) / _chunkRows);
            }

            protected override void Run(int claim)
            {
                // Claims run from the last rows backwards: under a causal mask those are the costliest, so the cheap rows
                // are left to even out the threads' finishing times. Boundaries stay multiples of the row tile counted from
                // rowStart (the range is a whole number of tiles), so each row's work is the same on any thread count.
                int end = _rowEnd - claim * _chunkRows;
                TKernel.Run(_query.Read, _key.Read, _value.Read, _output.Write, _logSumExp.Write, _packed.Read, _packedFirstKey, _queryCount, _keyCount,
                    Math.Max(_rowStart, end - _chunkRows), end,
                    _keyMask.Read, _mask.Read, _maskStride, _keyPrefix.Read, _score);
            }
        }

        /// <summary>One parallel batched call: claim c is kernel call c (a batch item's key/value heads, one or several, and their query heads).</summary>
        private sealed unsafe class HeadJob<TPath, TMask, TScore, TQuery, TKeyValue, TOutput> : ClaimJob
            where TPath : struct, Engine.IHeadDimensionPath
            where TMask : struct, Engine.IAttentionMask
            where TScore : struct, Engine.IScoreTransform
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            public static readonly HeadJob<TPath, TMask, TScore, TQuery, TKeyValue, TOutput> Instance = new();

            private BatchedShape _shape;
            private int _batch, _keyHeadsPerCall;
            private float _scale;
            private PinnedSpan<TQuery> _query;
            private PinnedSpan<TKeyValue> _key, _value;
            private PinnedSpan<TOutput> _output;
            private PinnedSpan<float> _logSumExp, _slopes, _bias, _sinks, _standardSlopes;
            private PinnedSpan<ItemRows> _items;
            private PinnedSpan<bool> _keyMask, _mask;

            public void Prepare(
                BatchedShape shape, int keyHeadsPerCall, int batch, float scale, PinnedSpan<TQuery> query, PinnedSpan<TKeyValue> key, PinnedSpan<TKeyValue> value, PinnedSpan<TOutput> output,
                PinnedSpan<float> logSumExp, PinnedSpan<ItemRows> items, PinnedSpan<bool> keyMask, PinnedSpan<bool> mask, PinnedSpan<float> slopes,
                PinnedSpan<float> bias, PinnedSpan<float> sinks, PinnedSpan<float> standardSlopes, int groups)
            {
                (_shape, _keyHeadsPerCall, _batch, _scale) = (shape, keyHeadsPerCall, batch, scale);
                (_query, _key, _value, _output, _logSumExp) = (query, key, value, output, logSumExp);
                _items = items;
                (_keyMask, _mask) = (keyMask, mask);
                (_slopes, _bias, _sinks, _standardSlopes) = (slopes, bias, sinks, standardSlopes);
                Reset(groups);
            }

            protected override void Run(int claim)
            {
                var arguments = new BatchedArguments<TQuery, TKeyValue, TOutput>(_query.Read, _key.Read, _value.Read, _output.Write, _batch)
                {
                    LogSumExp = _logSumExp.Write,
                    KeyMask = _keyMask.Read,
                    Mask = _mask.Read,
                    Scale = _scale,
                    AlibiSlopes = _slopes.Read,
                    Bias = _bias.Read,
                    Sinks = _sinks.Read,
                };
                BatchedAttention.RunGroup<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>(_shape, claim, _keyHeadsPerCall, arguments, _items.Read, _standardSlopes.Read);
            }
        }

        /// <summary>One parallel chunked row: claim c is key chunk c.</summary>
        private sealed unsafe class ChunkJob<TKernel> : ClaimJob
            where TKernel : IKeyChunkKernel
        {
            public static readonly ChunkJob<TKernel> Instance = new();

            private PinnedSpan<float> _query, _key, _value, _partials;
            private int _rangeStart, _rangeEnd, _chunkKeys, _row, _position;
            private PinnedSpan<bool> _keyMask, _rowMask;
            private Engine.ScoreState _score;

            /// <summary>The row's index, position, run-time masks (null and 0 when absent) and score inputs.</summary>
            public void PrepareMasks(int row, int position, bool* keyMask, int keyMaskLength, bool* rowMask, int rowMaskLength, in Engine.ScoreState score)
            {
                _row = row;
                _score = score;
                _keyMask = new PinnedSpan<bool>(keyMask, keyMaskLength);
                _rowMask = new PinnedSpan<bool>(rowMask, rowMaskLength);
                _position = position;
            }

            public void Prepare(
                float* query, int queryLength, float* key, int keyLength, float* value, int valueLength, float* partials, int partialLength,
                int rangeStart, int rangeEnd, int chunkKeys, int chunks)
            {
                _query = new PinnedSpan<float>(query, queryLength);
                _key = new PinnedSpan<float>(key, keyLength);
                _value = new PinnedSpan<float>(value, valueLength);
                _partials = new PinnedSpan<float>(partials, partialLength);
                (_rangeStart, _rangeEnd, _chunkKeys) = (rangeStart, rangeEnd, chunkKeys);
                Reset(chunks);
            }

            protected override void Run(int claim) =>
                TKernel.Run(_query.Read, _key.Read, _value.Read, _partials.Write, _rangeStart, _rangeEnd, _chunkKeys, claim, claim + 1,
                    _row, _position, _keyMask.Read, _rowMask.Read, _score);
        }
    }
}
