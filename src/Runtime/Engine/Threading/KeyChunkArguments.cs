using System;
using KernelGen.Engine;

namespace KernelGen.Engine
{
    /// <summary>
    /// One long query row split into fixed chunks of keys (<see cref="IKeyChunkKernel"/>): chunk c is keys
    /// <see cref="RangeStart"/> + c x <see cref="ChunkKeys"/> onwards, up to <see cref="RangeEnd"/>, and its state goes to
    /// <see cref="Partials"/>[c x (d + 2) ..]. Optional members left unset are empty (absent).
    /// </summary>
    internal readonly ref struct KeyChunkArguments : IJobArguments<KeyChunkArguments, KeyChunkArguments.Pinned>
    {
        /// <summary>The query row (d floats).</summary>
        public required ReadOnlySpan<float> QueryRow { get; init; }

        /// <summary>The key rows, d floats apart (16-bit rows as floats over the same bytes, see <c>LongRowChunks.WidenedKeyChunks</c>).</summary>
        public required ReadOnlySpan<float> Key { get; init; }

        /// <summary>The value rows, laid out as <see cref="Key"/>.</summary>
        public required ReadOnlySpan<float> Value { get; init; }

        /// <summary>
        /// <see cref="Chunks"/> x (d + 2) floats: each chunk's unnormalised accumulator (d floats), then its max score,
        /// then its sum of e^(s - max); each chunk written by exactly one call.
        /// </summary>
        public required Span<float> Partials { get; init; }

        /// <summary>The row's first key.</summary>
        public required int RangeStart { get; init; }

        /// <summary>The row's key range end (exclusive).</summary>
        public required int RangeEnd { get; init; }

        /// <summary>Keys per chunk (the last chunk may have fewer); never decided by the thread count.</summary>
        public required int ChunkKeys { get; init; }

        /// <summary>The query's row (for a bias).</summary>
        public int Row { get; init; }

        /// <summary>The query's key position.</summary>
        public int Position { get; init; }

        /// <summary>[Nk]: false drops the key; empty when absent.</summary>
        public ReadOnlySpan<bool> KeyMask { get; init; }

        /// <summary>The row's key flags ([Nk]); empty when absent.</summary>
        public ReadOnlySpan<bool> RowMask { get; init; }

        /// <summary>The head's score inputs (their bias pinned by the engine for the whole call).</summary>
        public required ScoreState Score { get; init; }

        /// <summary>The chunks of the range.</summary>
        public int Chunks => (int)(((long)RangeEnd - RangeStart + ChunkKeys - 1) / ChunkKeys);

        /// <inheritdoc/>
        public static unsafe void RunPinned<TPlan>(scoped in KeyChunkArguments arguments, PinnedJob<Pinned, TPlan> job)
        {
            fixed (float* queryRow = arguments.QueryRow)
            fixed (float* key = arguments.Key)
            fixed (float* value = arguments.Value)
            fixed (float* partials = arguments.Partials)
            fixed (bool* keyMask = arguments.KeyMask)
            fixed (bool* rowMask = arguments.RowMask)
            {
                job.RunPinned(new Pinned
                {
                    QueryRow = new(queryRow, arguments.QueryRow.Length),
                    Key = new(key, arguments.Key.Length),
                    Value = new(value, arguments.Value.Length),
                    Partials = new(partials, arguments.Partials.Length),
                    RangeStart = arguments.RangeStart,
                    RangeEnd = arguments.RangeEnd,
                    ChunkKeys = arguments.ChunkKeys,
                    Row = arguments.Row,
                    Position = arguments.Position,
                    KeyMask = new(keyMask, arguments.KeyMask.Length),
                    RowMask = new(rowMask, arguments.RowMask.Length),
                    Score = arguments.Score,
                });
            }
        }

        /// <summary>The same arguments with every span as its pinned address and length, for the worker threads.</summary>
        internal readonly struct Pinned
        {
            public PinnedSpan<float> QueryRow { get; init; }

            public PinnedSpan<float> Key { get; init; }

            public PinnedSpan<float> Value { get; init; }

            public PinnedSpan<float> Partials { get; init; }

            public int RangeStart { get; init; }

            public int RangeEnd { get; init; }

            public int ChunkKeys { get; init; }

            public int Row { get; init; }

            public int Position { get; init; }

            public PinnedSpan<bool> KeyMask { get; init; }

            public PinnedSpan<bool> RowMask { get; init; }

            public ScoreState Score { get; init; }

            /// <summary>The arguments back as spans (valid while the pinning call runs).</summary>
            public KeyChunkArguments Arguments => new()
            {
                QueryRow = QueryRow.Read,
                Key = Key.Read,
                Value = Value.Read,
                Partials = Partials.Write,
                RangeStart = RangeStart,
                RangeEnd = RangeEnd,
                ChunkKeys = ChunkKeys,
                Row = Row,
                Position = Position,
                KeyMask = KeyMask.Read,
                RowMask = RowMask.Read,
                Score = Score,
            };
        }
    }
}
