using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>The caller's float key and value rows, read in place.</summary>
    internal readonly ref struct FloatRows<TPath> : IKeyValueRows
        where TPath : struct, IHeadDimensionPath
    {
        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TPath.HeadDimension;
        }

        private readonly ref float _key;
        private readonly ref float _value;
        private readonly int _first;

        public FloatRows(ReadOnlySpan<float> key, ReadOnlySpan<float> value)
        {
            _key = ref MemoryMarshal.GetReference(key);
            _value = ref MemoryMarshal.GetReference(value);
        }

        /// <summary>Rows of a chunk copied out of a longer sequence: key index j is row j - <paramref name="first"/> of the spans.</summary>
        public FloatRows(ReadOnlySpan<float> key, ReadOnlySpan<float> value, int first)
            : this(key, value)
        {
            _first = first;
        }

        /// <summary>Float rows: the caller hands its float spans to the threads.</summary>
        public bool AccumulateLongRow<TMask, TScore>(ReadOnlySpan<float> queryRow, int rangeStart, int rangeEnd, int row, int position, scoped Span<float> accumulator,
            out float runningMax, out float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, in ScoreState score)
                where TMask : struct, IAttentionMask
                where TScore : struct, IScoreTransform
        {
            runningMax = float.NegativeInfinity;
            runningSum = 0f;
            return false;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void ScoreBlock(ref float queryVector, int start, scoped Span<float> scores) => TPath.ScoreBlock(ref queryVector, ref Unsafe.Add(ref _key, (start - _first) * D), scores);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AccumulateBlock(scoped Span<float> accumulator, float correction, scoped ReadOnlySpan<float> weights, int start) =>
            TPath.AccumulateBlock(accumulator, correction, weights, ref Unsafe.Add(ref _value, (start - _first) * D));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref float Values(int start, int count) => ref Unsafe.Add(ref _value, (start - _first) * D);
    }
}
