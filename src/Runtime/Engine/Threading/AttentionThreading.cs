using System;
using System.Threading;
using KernelGen.Engine;

namespace KernelGen
{
    /// <summary>
    /// Spreads a kernel call's work (row groups, a long row's key chunks, a batched call's head groups) over a few dedicated
    /// worker threads. Each unit is computed by one thread with the same code whatever the thread count, so results are
    /// bit-identical for any <see cref="MaxDegreeOfParallelism"/>. Nothing is allocated per call: the workers, their
    /// signals and one job object per kernel type are created once.
    /// </summary>
    public static class AttentionThreading
    {
        /// <summary>Multiply-adds a call must have per thread before a second thread is worth waking: a tenth of a millisecond or so of tile work, well above the cost of waking one (bench/RESULTS.md, "Threads and scaling with N").</summary>
        internal const long MinWorkPerThread = 1L << 22;

        /// <summary>
        /// The same for one long row split into key chunks: a single query row streams K and V from memory with no reuse,
        /// so it runs several times slower per multiply-add than a tile (bench/RESULTS.md, "Decode step");
        /// 2048 keys at d = 128 (two chunks) is the smallest row worth a second thread.
        /// </summary>
        internal const long MinChunkWorkPerThread = MinWorkPerThread / 16;

        /// <summary>
        /// Keys per chunk when a single query row is split across threads (<see cref="ForKeyChunks{TKernel}"/>). Rows of
        /// at least twice this many keys are always computed in chunks of this size, whatever the thread count.
        /// </summary>
        internal const int ChunkKeys = 1024;

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
        /// Computes rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) of a kernel call, in groups of
        /// <paramref name="rowTile"/> rows, on up to <see cref="MaxDegreeOfParallelism"/> threads; <paramref name="work"/>
        /// (multiply-adds, an estimate) decides how many. Returns when every row is written.
        /// </summary>
        internal static void ForRowGroups<TKernel>(scoped in RowRangeArguments arguments, int rowStart, int rowEnd, int rowTile, long work)
            where TKernel : IRowRangeKernel
        {
            int threads = ThreadsFor(work, MinWorkPerThread, units: (rowEnd - rowStart) / rowTile);
            if (!TryShare(arguments, RowJob<TKernel>.Instance, (rowStart, rowEnd, rowTile), threads))
            {
                TKernel.Run(arguments, rowStart, rowEnd);
            }
        }

        /// <summary>
        /// Computes the chunk states of one long query row (see <see cref="IKeyChunkKernel"/>) on up to
        /// <see cref="MaxDegreeOfParallelism"/> threads. The chunks are fixed by <see cref="KeyChunkArguments.ChunkKeys"/>,
        /// never by the thread count, and the caller merges them in chunk order, so the result is the same on any number of threads.
        /// </summary>
        internal static void ForKeyChunks<TKernel>(scoped in KeyChunkArguments arguments)
            where TKernel : IKeyChunkKernel
        {
            int chunks = arguments.Chunks;
            int threads = ThreadsFor((long)(arguments.RangeEnd - arguments.RangeStart) * arguments.QueryRow.Length, MinChunkWorkPerThread, units: chunks);
            if (!TryShare(arguments, ChunkJob<TKernel>.Instance, chunks, threads))
            {
                TKernel.Run(arguments, 0, chunks);
            }
        }

        /// <summary>
        /// Computes every head group of a batched call (see <see cref="BatchedAttention"/>) on up to
        /// <see cref="MaxDegreeOfParallelism"/> threads, one claim of <c>KeyHeadsPerCall</c> key/value heads of one batch
        /// item each. With a single claim the engine call itself may spread its rows over the threads instead.
        /// </summary>
        internal static void ForHeadGroups<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>(scoped in HeadGroupArguments<TQuery, TKeyValue, TOutput> arguments, long work)
            where TPath : struct, Engine.IHeadDimensionPath
            where TMask : struct, Engine.IAttentionMask
            where TScore : struct, Engine.IScoreTransform
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            BatchedShape shape = arguments.Shape;
            int groups = checked((int)((long)shape.Batch * (shape.KeyValueHeads / arguments.KeyHeadsPerCall)));
            if (!TryShare(arguments, HeadJob<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>.Instance, groups, ThreadsFor(work, MinWorkPerThread, units: groups)))
            {
                for (int group = 0; group < groups; group++)
                {
                    BatchedAttention.RunGroup<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>(arguments, group);
                }
            }
        }

        /// <summary>
        /// Runs <paramref name="job"/>, its claims set by <paramref name="plan"/>, on <paramref name="threads"/> threads (the
        /// caller among them) over <paramref name="arguments"/>, every span pinned until all are done. False, having done
        /// nothing, when one thread suffices or another call holds the workers: the caller then computes alone.
        /// </summary>
        private static bool TryShare<TArguments, TPinned, TPlan>(scoped in TArguments arguments, PinnedJob<TPinned, TPlan> job, in TPlan plan, int threads)
            where TArguments : IJobArguments<TArguments, TPinned>, allows ref struct
            where TPinned : unmanaged
        {
            if (threads <= 1 || !KernelWorkers.TryAcquire())
            {
                return false;
            }

            try
            {
                // One job object per kernel type, shared by every call: only the holder of the workers writes it.
                job.Plan(plan, threads);
                TArguments.RunPinned(arguments, job);
            }
            finally
            {
                KernelWorkers.Release();
            }

            return true;
        }

        /// <summary>Threads for one call: at most MaxDegreeOfParallelism, the units of work, the processors, and work / minimum.</summary>
        private static int ThreadsFor(long work, long minWorkPerThread, int units) =>
            (int)Math.Min(Math.Min(MaxDegreeOfParallelism, units), Math.Min(Math.Max(1, work / minWorkPerThread), KernelWorkers.MaxThreads));

        /// <summary>One parallel call of a kernel's rows: claim c is a run of whole row groups, counted from the last rows.</summary>
        private sealed class RowJob<TKernel> : PinnedJob<RowRangeArguments.Pinned, (int RowStart, int RowEnd, int RowTile)>
            where TKernel : IRowRangeKernel
        {
            public static readonly RowJob<TKernel> Instance = new();

            private int _rowStart, _rowEnd, _chunkRows;

            protected override int Claims(in (int RowStart, int RowEnd, int RowTile) rows, int threads)
            {
                // About 32 claims per thread: a claim (one interlocked increment) costs far less than a row group, and small
                // claims even out rows of unequal cost, such as the group holding global rows, which scans every key and,
                // being among the first rows, is claimed last.
                (_rowStart, _rowEnd) = (rows.RowStart, rows.RowEnd);
                int groups = (rows.RowEnd - rows.RowStart) / rows.RowTile;
                _chunkRows = Math.Max(1, groups / (threads * 32)) * rows.RowTile;
                return (rows.RowEnd - rows.RowStart + _chunkRows - 1) / _chunkRows;
            }

            protected override void Run(int claim)
            {
                // Claims run from the last rows backwards: under a causal mask those are the costliest, so the cheap rows
                // are left to even out the threads' finishing times. Boundaries stay multiples of the row tile counted from
                // rowStart (the range is a whole number of tiles), so each row's work is the same on any thread count.
                int end = _rowEnd - claim * _chunkRows;
                TKernel.Run(Arguments.Arguments, Math.Max(_rowStart, end - _chunkRows), end);
            }
        }

        /// <summary>One parallel batched call: claim c is head group c (a batch item's key/value heads, one or several, and their query heads).</summary>
        private sealed class HeadJob<TPath, TMask, TScore, TQuery, TKeyValue, TOutput> : PinnedJob<HeadGroupArguments<TQuery, TKeyValue, TOutput>.Pinned, int>
            where TPath : struct, Engine.IHeadDimensionPath
            where TMask : struct, Engine.IAttentionMask
            where TScore : struct, Engine.IScoreTransform
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            public static readonly HeadJob<TPath, TMask, TScore, TQuery, TKeyValue, TOutput> Instance = new();

            protected override int Claims(in int groups, int threads) => groups;

            protected override void Run(int claim) => BatchedAttention.RunGroup<TPath, TMask, TScore, TQuery, TKeyValue, TOutput>(Arguments.Arguments, claim);
        }

        /// <summary>One parallel chunked row: claim c is key chunk c.</summary>
        private sealed class ChunkJob<TKernel> : PinnedJob<KeyChunkArguments.Pinned, int>
            where TKernel : IKeyChunkKernel
        {
            public static readonly ChunkJob<TKernel> Instance = new();

            protected override int Claims(in int chunks, int threads) => chunks;

            protected override void Run(int claim) => TKernel.Run(Arguments.Arguments, claim, claim + 1);
        }
    }
}
