using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using KernelGen.Engine;
using Xunit;
using KernelGen.Tests;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The thread jobs themselves, with recording kernels: every member of the call's arguments reaches each claim
    /// unchanged (through the pinned twin the workers read), every row or chunk is computed exactly once, and row claims
    /// are whole row tiles counted from the range's first row. Run until a call was shared (a busy pool computes alone).
    /// </summary>
    [Collection(ProcessWideThreadSetting.Name)]
    public sealed unsafe class ThreadJobTests
    {
        private const int RowStart = 8, Rows = 800, RowTile = 4;
        private const int RangeStart = 100, Chunks = 9, ChunkKeys = 1024;

        // Distinct lengths and values, so a member swapped for another or dropped on the way is seen.
        private static readonly float[] s_query = new float[11], s_key = new float[12], s_value = new float[13], s_output = new float[14];
        private static readonly float[] s_logSumExp = new float[15], s_packed = new float[16], s_partials = new float[17];
        private static readonly float[] s_bias = GC.AllocateArray<float>(18, pinned: true);
        private static readonly bool[] s_keyMask = new bool[19], s_mask = new bool[20];
        private static readonly int[] s_keyPrefix = new int[21];
        private static readonly ScoreState s_score = new(0.25f, -0.5f, 1.5f, (float*)Unsafe.AsPointer(ref s_bias[0]), s_bias.Length, 7);

        private static int[] s_written = Array.Empty<int>();
        private static int s_mismatches, s_caller, s_onOtherThreads;

        [Fact]
        public void ForRowGroups_SharedOverThreads_EveryRowOnce_WithTheCallersArguments()
        {
            bool shared = RunUntilShared(() =>
            {
                s_written = new int[RowStart + Rows];
                var arguments = new RowRangeArguments
                {
                    Query = s_query,
                    Key = s_key,
                    Value = s_value,
                    Output = s_output,
                    LogSumExp = s_logSumExp,
                    PackedKeys = s_packed,
                    PackedFirstKey = 32,
                    QueryCount = 33,
                    KeyCount = 34,
                    KeyMask = s_keyMask,
                    Mask = s_mask,
                    MaskStride = 35,
                    KeyPrefix = s_keyPrefix,
                    Score = s_score,
                };
                AttentionThreading.ForRowGroups<RecordingRows>(arguments, RowStart, RowStart + Rows, RowTile, work: long.MaxValue / 2);
                for (int row = 0; row < s_written.Length; row++)
                {
                    Assert.Equal(row < RowStart ? 0 : 1, s_written[row]);
                }
            });

            Assert.Equal(0, s_mismatches);
            Assert.True(shared || Environment.ProcessorCount < 2, "no call ran on more than one thread");
        }

        [Fact]
        public void ForKeyChunks_SharedOverThreads_EveryChunkOnce_WithTheCallersArguments()
        {
            bool shared = RunUntilShared(() =>
            {
                s_written = new int[Chunks];
                var arguments = new KeyChunkArguments
                {
                    QueryRow = new float[128], // the work estimate: keys x d
                    Key = s_key,
                    Value = s_value,
                    Partials = s_partials,
                    RangeStart = RangeStart,
                    RangeEnd = RangeStart + (Chunks - 1) * ChunkKeys + 5,
                    ChunkKeys = ChunkKeys,
                    Row = 36,
                    Position = 37,
                    KeyMask = s_keyMask,
                    RowMask = s_mask,
                    Score = s_score,
                };
                Assert.Equal(Chunks, arguments.Chunks);
                AttentionThreading.ForKeyChunks<RecordingChunks>(arguments);
                Assert.All(s_written, count => Assert.Equal(1, count));
            });

            Assert.Equal(0, s_mismatches);
            Assert.True(shared || Environment.ProcessorCount < 2, "no call ran on more than one thread");
        }

        /// <summary>Runs <paramref name="call"/> (at least once) until a claim of it ran on a worker thread; whether one did.</summary>
        private static bool RunUntilShared(Action call)
        {
            int saved = AttentionThreading.MaxDegreeOfParallelism;
            try
            {
                AttentionThreading.MaxDegreeOfParallelism = Environment.ProcessorCount;
                s_mismatches = 0;
                s_caller = Environment.CurrentManagedThreadId;
                s_onOtherThreads = 0;
                // Until shared, or 10 s: another test class may hold the workers for a while (a call then computes alone).
                var clock = System.Diagnostics.Stopwatch.StartNew();
                do
                {
                    call();
                }
                while (s_onOtherThreads == 0 && clock.Elapsed.TotalSeconds < 10);

                return s_onOtherThreads != 0;
            }
            finally
            {
                AttentionThreading.MaxDegreeOfParallelism = saved;
            }
        }

        /// <summary>
        /// Each claim: notes whether a worker ran it. A claim on the calling thread gives up its core for a moment, so a
        /// woken worker finds claims left even on a loaded two-core machine (with a spin alone, the caller took every
        /// claim of a call before a worker woke when other tests kept both cores busy).
        /// </summary>
        private static void Claimed()
        {
            if (Environment.CurrentManagedThreadId != s_caller)
            {
                Interlocked.Increment(ref s_onOtherThreads);
            }
            else
            {
                Thread.Sleep(1);
            }
        }

        private static bool Same<T>(ReadOnlySpan<T> span, T[] array) =>
            span.Length == array.Length && Unsafe.AreSame(ref MemoryMarshal.GetReference(span), ref MemoryMarshal.GetArrayDataReference(array));

        private static bool SameScore(in ScoreState score) =>
            score.Scale == s_score.Scale && score.AlibiSlope == s_score.AlibiSlope && score.Sink == s_score.Sink && score.BiasStride == s_score.BiasStride
            && Same(score.Bias, s_bias);

        private readonly struct RecordingRows : IRowRangeKernel
        {
            public static void Run(scoped in RowRangeArguments arguments, int rowStart, int rowEnd)
            {
                bool intact = Same(arguments.Query, s_query) && Same(arguments.Key, s_key) && Same(arguments.Value, s_value)
                    && Same<float>(arguments.Output, s_output) && Same<float>(arguments.LogSumExp, s_logSumExp) && Same(arguments.PackedKeys, s_packed)
                    && arguments.PackedFirstKey == 32 && arguments.QueryCount == 33 && arguments.KeyCount == 34
                    && Same(arguments.KeyMask, s_keyMask) && Same(arguments.Mask, s_mask) && arguments.MaskStride == 35 && Same(arguments.KeyPrefix, s_keyPrefix)
                    && SameScore(arguments.Score);
                bool wholeTiles = rowStart < rowEnd && (rowStart - RowStart) % RowTile == 0 && (rowEnd - RowStart) % RowTile == 0;
                if (!intact || !wholeTiles)
                {
                    Interlocked.Increment(ref s_mismatches);
                }

                Claimed();
                for (int row = rowStart; row < rowEnd; row++)
                {
                    Interlocked.Increment(ref s_written[row]);
                }
            }
        }

        private readonly struct RecordingChunks : IKeyChunkKernel
        {
            public static void Run(scoped in KeyChunkArguments arguments, int chunkStart, int chunkEnd)
            {
                bool intact = arguments.QueryRow.Length == 128 && Same(arguments.Key, s_key) && Same(arguments.Value, s_value)
                    && Same<float>(arguments.Partials, s_partials) && arguments.RangeStart == RangeStart && arguments.RangeEnd == RangeStart + (Chunks - 1) * ChunkKeys + 5
                    && arguments.ChunkKeys == ChunkKeys && arguments.Row == 36 && arguments.Position == 37
                    && Same(arguments.KeyMask, s_keyMask) && Same(arguments.RowMask, s_mask) && SameScore(arguments.Score);
                if (!intact)
                {
                    Interlocked.Increment(ref s_mismatches);
                }

                Claimed();
                for (int chunk = chunkStart; chunk < chunkEnd; chunk++)
                {
                    Interlocked.Increment(ref s_written[chunk]);
                }
            }
        }
    }
}
