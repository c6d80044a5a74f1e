using System;
using System.Runtime.InteropServices;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The runtime's trust boundary piece by piece (docs/safety.md): byte-wise overlap across element types
    /// (AttentionGuard), the one refusal of every alias of a batched call (BatchedAliasing), the single read of lengths
    /// and offsets checked again (BatchItems), and Run refusing a shape that does not fit its spans.
    /// </summary>
    public sealed class CallBoundaryTests
    {
        private const int D = 4, Heads = 2, KeyValueHeads = 1;

        private static BatchedKernelInfo Info(RuntimeParameter parameters) =>
            new(AttentionLayout.BatchSeqHeadDim, D, Heads, KeyValueHeads, parameters, "q", "k", "v", "o", "items");

        [Fact]
        public void Overlaps_IsBytewise_AcrossElementTypes()
        {
            byte[] buffer = new byte[64];
            Span<float> floats = MemoryMarshal.Cast<byte, float>(buffer.AsSpan(0, 16)); // bytes 0..15
            ReadOnlySpan<int> ints = MemoryMarshal.Cast<byte, int>(buffer.AsSpan(12, 8)); // bytes 12..19: shares 12..15
            ReadOnlySpan<bool> flags = MemoryMarshal.Cast<byte, bool>(buffer.AsSpan(16, 4)); // bytes 16..19: shares none

            Assert.True(AttentionGuard.Overlaps<float, int>(floats, ints));
            Assert.True(AttentionGuard.Overlaps<int, float>(ints, floats));
            Assert.False(AttentionGuard.Overlaps<float, bool>(floats, flags));
            Assert.False(AttentionGuard.Overlaps<float, int>(floats, ReadOnlySpan<int>.Empty));
        }

        [Fact]
        public void RefuseOverlap_NamesTheWrittenSpanAsParameter_AndBothInTheMessage()
        {
            int[] lengths = new int[4];

            var error = Assert.Throws<ArgumentException>(() =>
                AttentionGuard.RefuseOverlap((ReadOnlySpan<float>)MemoryMarshal.Cast<int, float>(lengths.AsSpan()), "out", (ReadOnlySpan<int>)lengths, "lens"));

            Assert.Equal("out", error.ParamName);
            Assert.Contains("The out buffer overlaps the lens buffer", error.Message);
        }

        [Fact]
        public void Validate_LogSumExpOverKeyMask_IsRefusedBeforeAnything()
        {
            // B = 2, N = 3: query and output [2, 3, 2, 4], key and value [2, 3, 1, 4], logSumExp [2, 2, 3], keyMask [2, 3].
            byte[] shared = new byte[64];
            float[] query = new float[48], key = new float[24], output = new float[48];
            Span<float> logSumExp = MemoryMarshal.Cast<byte, float>(shared.AsSpan(0, 48));
            ReadOnlySpan<bool> keyMask = MemoryMarshal.Cast<byte, bool>(shared.AsSpan(40, 6));
            BatchedKernelInfo info = Info(RuntimeParameter.LogSumExp | RuntimeParameter.KeyMask);

            ArgumentException error;
            try
            {
                BatchedAttention.Validate(info, new BatchedArguments<float, float, float>(query, key, key, output, 2) { LogSumExp = logSumExp, KeyMask = keyMask });
                error = null!;
            }
            catch (ArgumentException e)
            {
                error = e;
            }

            Assert.NotNull(error);
            Assert.Equal("logSumExp", error.ParamName);
            Assert.Contains("keyMask", error.Message);
        }

        [Fact]
        public void Capture_LengthsChangedAfterValidation_ThrowNamingTheSpan()
        {
            // Validation saw these in range; a copy that breaks a bound (another thread wrote it) is refused, not used.
            BatchedKernelInfo info = Info(RuntimeParameter.KeyLengths);
            float[] query = new float[48], key = new float[24], output = new float[48];
            int[] keyLengths = { 3, 2 };
            var arguments = new BatchedArguments<float, float, float>(query, key, key, output, 2) { KeyLengths = keyLengths };
            BatchedShape shape = BatchedAttention.Validate(info, arguments);
            var items = new ItemRows[2];

            BatchItems.Capture(info, shape, arguments, items);
            Assert.Equal(new ItemRows(3, 2, 0, 0), items[1]);

            keyLengths[1] = 0x20000001;
            var error = Assert.Throws<ArgumentException>(() => BatchItems.Capture(info, shape,
                new BatchedArguments<float, float, float>(query, key, key, output, 2) { KeyLengths = keyLengths }, items));
            Assert.Equal("keyLengths", error.ParamName);
        }

        [Fact]
        public void Capture_PackedStartsChangedAfterValidation_ThrowNamingTheSpan()
        {
            BatchedKernelInfo info = Info(RuntimeParameter.SequenceStarts);
            float[] query = new float[5 * Heads * D], key = new float[5 * KeyValueHeads * D], output = new float[query.Length];
            int[] starts = { 0, 2, 5 };
            var arguments = new BatchedArguments<float, float, float>(query, key, key, output, 2) { SequenceStarts = starts };
            BatchedShape shape = BatchedAttention.Validate(info, arguments);
            var items = new ItemRows[2];

            BatchItems.Capture(info, shape, arguments, items);
            Assert.Equal(new ItemRows(3, 3, 2, 2), items[1]);

            foreach (int bad in new[] { 6, -1, int.MaxValue })
            {
                starts[1] = bad;
                var error = Assert.Throws<ArgumentException>(() => BatchItems.Capture(info, shape,
                    new BatchedArguments<float, float, float>(query, key, key, output, 2) { SequenceStarts = starts }, items));
                Assert.Equal("sequenceStarts", error.ParamName);
            }
        }

        [Fact]
        public void Run_AShapeThatDoesNotFitTheSpans_IsRefused()
        {
            BatchedKernelInfo info = Info(RuntimeParameter.None);
            float[] query = new float[48], key = new float[24], output = new float[48];
            var tooLong = new BatchedShape(AttentionLayout.BatchSeqHeadDim, D, Heads, KeyValueHeads, 2, 30, 30);

            var error = Assert.Throws<ArgumentException>(() =>
                BatchedAttention.Run<NeverCalled, NeverCalled, Engine.IdentityScore, float, float, float>(info, tooLong, new BatchedArguments<float, float, float>(query, key, key, output, 2)));
            Assert.Equal("shape", error.ParamName);
        }

        /// <summary>A path and mask the refused call must never reach: every member throws.</summary>
        private readonly struct NeverCalled : Engine.IHeadDimensionPath, Engine.IAttentionMask
        {
            public static int HeadDimension => throw Reached();

            public static float ScoreScale => throw Reached();

            public static int RowTile => throw Reached();

            public static bool Causal => throw Reached();

            public static bool HasWindow => throw Reached();

            public static int WindowLeft => throw Reached();

            public static int WindowRight => throw Reached();

            public static ReadOnlySpan<int> GlobalPositions => throw Reached();

            public static bool HasRuntimeMasks => throw Reached();

            public static void ScoreBlock(ref float queryVector, ref float keyRows, Span<float> scores) => throw Reached();

            public static void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueRows) => throw Reached();

            static void Engine.IHeadDimensionPath.ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores) => throw Reached();

            static void Engine.IHeadDimensionPath.ScoreTilePair(ref float queryRows, ref float packedBlock, Span<float> scores) => throw Reached();

            static void Engine.IHeadDimensionPath.AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount) =>
                throw Reached();

            private static InvalidOperationException Reached() => new("the engine ran on a refused shape");
        }
    }
}
