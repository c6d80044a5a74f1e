using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>
    /// Key and value rows of any element type (float, f16, bf16) <c>stride</c> elements apart (d for [.., N, d] rows,
    /// H_kv x d for [B, N, H, d] rows), scored and accumulated straight from memory with exact widening in registers
    /// (split loads for bf16 and finite f16, see <see cref="SplitColumns"/>); Values widens a masked block into scratch
    /// for the careful path, and ScoreBlock widens a block of keys there when an f16 query cannot be scaled by 2^112.
    /// </summary>
    internal readonly ref struct StridedRows<TPath, TElement> : IKeyValueRows
        where TPath : struct, IHeadDimensionPath
        where TElement : unmanaged
    {
        private static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TPath.HeadDimension;
        }

        private readonly ReadOnlySpan<TElement> _key, _value;
        private readonly Span<float> _queryScratch, _valueScratch;
        private readonly int _stride;
        private readonly bool _prefetch;

        /// <param name="key">The key rows.</param>
        /// <param name="value">The value rows, laid out as the key rows.</param>
        /// <param name="stride">Elements from one row to the next (d, or H_kv x d).</param>
        /// <param name="queryScratch">At least d floats: the query row in <see cref="LoadPair"/>'s column order.</param>
        /// <param name="valueScratch">AttentionEngine.KeyBlock x d floats: a masked block's values widened for the careful path, or a block of
        /// keys widened by ScoreBlock's fallback (used and done with before the block's values).</param>
        public StridedRows(ReadOnlySpan<TElement> key, ReadOnlySpan<TElement> value, int stride, Span<float> queryScratch, Span<float> valueScratch)
        {
            _key = key;
            _value = value;
            _stride = stride;
            _queryScratch = queryScratch;
            _valueScratch = valueScratch;
            _prefetch = Prefetch.Pays(2L * RowsFrom(key, 0, int.MaxValue) * D * Unsafe.SizeOf<TElement>()); // the rows read, not the gaps of strided rows
        }

        /// <summary>
        /// A long row over 16-bit rows d apart: the same fixed chunks as the float path, on the worker threads, the spans
        /// handed over with their element type erased (<see cref="LongRowChunks{TPath, TMask, TScore}.WidenedKeyChunks{TElement}"/> restores it); strided rows
        /// run their chunks on this thread.
        /// </summary>
        public bool AccumulateLongRow<TMask, TScore>(ReadOnlySpan<float> queryRow, int rangeStart, int rangeEnd, int row, int position, scoped Span<float> accumulator,
            out float runningMax, out float runningSum, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, in ScoreState score)
                where TMask : struct, IAttentionMask
                where TScore : struct, IScoreTransform
        {
            int chunks = (int)(((long)rangeEnd - rangeStart + AttentionThreading.ChunkKeys - 1) / AttentionThreading.ChunkKeys);
            int length = chunks * (D + 2);
            float[] partials = ArrayPool<float>.Shared.Rent(length);
            try
            {
                var arguments = new KeyChunkArguments
                {
                    QueryRow = queryRow,
                    Key = Erase(_key),
                    Value = Erase(_value),
                    Partials = partials.AsSpan(0, length),
                    RangeStart = rangeStart,
                    RangeEnd = rangeEnd,
                    ChunkKeys = AttentionThreading.ChunkKeys,
                    Row = row,
                    Position = position,
                    KeyMask = keyMask,
                    RowMask = rowMask,
                    Score = score,
                };
                if (_stride == D)
                {
                    AttentionThreading.ForKeyChunks<LongRowChunks<TPath, TMask, TScore>.WidenedKeyChunks<TElement>>(arguments);
                }
                else
                {
                    // Strided rows: every chunk on this thread, read through these rows (the erased spans are not read).
                    Span<float> scores = stackalloc float[AttentionEngine.KeyBlock];
                    StridedRows<TPath, TElement> self = this;
                    LongRowChunks<TPath, TMask, TScore>.ChunkStates(ref self, arguments, 0, chunks, scores);
                }

                OnlineSoftmax.MergeChunks(partials.AsSpan(0, length), chunks, accumulator, out runningMax, out runningSum);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(partials);
            }

            return true;
        }

        /// <summary>How many of the rows first .. first + most - 1 (d elements each, _stride apart) lie wholly inside <paramref name="rows"/>.</summary>
        private int RowsFrom(ReadOnlySpan<TElement> rows, int first, int most) =>
            rows.Length < D ? 0 : (int)Math.Clamp((rows.Length - D) / _stride + 1L - first, 0, most);

        /// <summary>The 16-bit span as floats over the same bytes (rounded up), for the thread jobs' float-typed slots.</summary>
        private static ReadOnlySpan<float> Erase(ReadOnlySpan<TElement> span) =>
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<TElement, float>(ref MemoryMarshal.GetReference(span)),
                (int)(((long)span.Length * Unsafe.SizeOf<TElement>() + 3) / 4));

        /// <summary>
        /// Dot products straight from the key rows, widened in registers (no scratch round trip): four keys at a time, each
        /// with two sums (8 independent FMA chains, every query vector loaded once for 4 keys), the four keys' sums reduced
        /// together (<see cref="Reductions.Sum4"/>); left-over keys one at a time.
        /// </summary>
        // A call, not inlined: a block's work (up to 64 keys x d columns) dwarfs a call, and inlined into the engine's
        // loops this body and AccumulateBlock's used up the JIT's inlining budget (at tier 1 the f16 decode's ChunkStates
        // then called LoadPair per 16 columns; bench/RESULTS.md, "Figures moved here from code comments"). Optimized from the first call, as the engine loops that
        // call them.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public void ScoreBlock(ref float queryVector, int start, scoped Span<float> scores)
        {
            if (typeof(TElement) == typeof(Half) && (SplitRows512<TPath, FiniteHalf>.Supported || SplitRows256<TPath, FiniteHalf>.Supported))
            {
                // AVX-512, or AVX2 with d a multiple of 32: the f16 rows read as finite, tested in the split loads
                // themselves (no pass of its own over the block); a block with an infinity or a NaN, or a query too large
                // for 2^112, is scored below, exactly.
                if (AsFinite().ScoreBlockSplit(ref queryVector, start, scores))
                {
                    return;
                }
            }
            else if (ElementTypes.FiniteHalfRows(_key, start * _stride, _stride, scores.Length, D))
            {
                AsFinite().ScoreBlock(ref queryVector, start, scores); // f16 with no infinity or NaN: split loads, or the 4-operation widening
                return;
            }
            else if (typeof(TElement) == typeof(BFloat16) && ScoreBlockSplit(ref queryVector, start, scores))
            {
                return; // AVX-512: 32 columns a load
            }

            ref TElement rows = ref Unsafe.Add(ref MemoryMarshal.GetReference(_key), start * _stride);
            int t = 0;
            if (Vector256.IsHardwareAccelerated && D >= 16)
            {
                // Prefetch hints while the block is scored: the key rows of the block two blocks on (and the value columns
                // past AccumulateBlock's 32-column strips, which prefetch the rest of the value rows, a strip's line per
                // row), only rows that exist (no reference is formed past the spans). Without hints the key and value
                // streams, 16 KiB each in turn, wait on memory and compute in turn; two blocks ahead beat one, and three
                // or four gave no more; the value hints are spread over the accumulation (one line per row and strip)
                // rather than issued all here, which read faster (bench/RESULTS.md, "Figures moved here from code comments").
                int aheadStart = start + 2 * scores.Length;
                int aheadKeys = _prefetch ? RowsFrom(_key, aheadStart, scores.Length) : 0;
                int aheadValues = _prefetch && StripColumns < D ? RowsFrom(_value, aheadStart, scores.Length) : 0;
                ref TElement nextKeys = ref aheadKeys > 0 ? ref Unsafe.Add(ref MemoryMarshal.GetReference(_key), (nint)aheadStart * _stride) : ref rows;
                ref TElement valueRows = ref aheadValues > 0 ? ref Unsafe.Add(ref MemoryMarshal.GetReference(_value), (nint)aheadStart * _stride) : ref rows;
                int pairs = D / 16 * 16;
                ref float query = ref queryVector;
                if (SplitLoads && scores.Length >= 4)
                {
                    // Paired loads give 16 columns as the even ones and the odd ones: the query in the same order (for
                    // finite f16 also times 2^112, see LoadPair). Only the 4-key loop below reads it.
                    query = ref MemoryMarshal.GetReference(_queryScratch);
                    if (!SplitColumns.DeinterleaveRow<TElement>(ref queryVector, ref query, D))
                    {
                        // A query element of magnitude 2^16 or more: 2^112 times it overflows. Widen the block, then score it.
                        ElementTypes.WidenRows(MemoryMarshal.Cast<TElement, Half>(_key), start * _stride, _stride, scores.Length, D, _valueScratch); // only finite f16 gets here
                        TPath.ScoreBlock(ref queryVector, ref MemoryMarshal.GetReference(_valueScratch), scores);
                        return;
                    }
                }

                for (; t + 3 < scores.Length; t += 4)
                {
                    if (Sse.IsSupported)
                    {
                        for (int p = 0; p < 4; p++)
                        {
                            if (t + p < aheadValues)
                            {
                                Prefetch.Columns(ref Unsafe.Add(ref valueRows, (nint)(t + p) * _stride), StripColumns, D);
                            }

                            if (t + p < aheadKeys)
                            {
                                Prefetch.Row(ref Unsafe.Add(ref nextKeys, (nint)(t + p) * _stride), D);
                            }
                        }
                    }

                    ref TElement k0 = ref Unsafe.Add(ref rows, t * _stride);
                    ref TElement k1 = ref Unsafe.Add(ref k0, _stride);
                    ref TElement k2 = ref Unsafe.Add(ref k1, _stride);
                    ref TElement k3 = ref Unsafe.Add(ref k2, _stride);
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
                    int c = 0;
                    for (; c < pairs; c += 16)
                    {
                        // Key by key (8 sums, 2 query vectors and 2 loaded ones stay within 16 registers).
                        Vector256<float> q = Vector256.LoadUnsafe(ref query, (nuint)c);
                        Vector256<float> r = Vector256.LoadUnsafe(ref query, (nuint)(c + 8));
                        LoadPair(ref k0, c, out Vector256<float> x, out Vector256<float> y);
                        a0 = Vector256.FusedMultiplyAdd(q, x, a0);
                        b0 = Vector256.FusedMultiplyAdd(r, y, b0);
                        LoadPair(ref k1, c, out x, out y);
                        a1 = Vector256.FusedMultiplyAdd(q, x, a1);
                        b1 = Vector256.FusedMultiplyAdd(r, y, b1);
                        LoadPair(ref k2, c, out x, out y);
                        a2 = Vector256.FusedMultiplyAdd(q, x, a2);
                        b2 = Vector256.FusedMultiplyAdd(r, y, b2);
                        LoadPair(ref k3, c, out x, out y);
                        a3 = Vector256.FusedMultiplyAdd(q, x, a3);
                        b3 = Vector256.FusedMultiplyAdd(r, y, b3);
                    }

                    if (D - c >= 8)
                    {
                        Vector256<float> q = Vector256.LoadUnsafe(ref queryVector, (nuint)c);
                        a0 = Vector256.FusedMultiplyAdd(q, LoadWidened256(ref k0, c), a0);
                        a1 = Vector256.FusedMultiplyAdd(q, LoadWidened256(ref k1, c), a1);
                        a2 = Vector256.FusedMultiplyAdd(q, LoadWidened256(ref k2, c), a2);
                        a3 = Vector256.FusedMultiplyAdd(q, LoadWidened256(ref k3, c), a3);
                        c += 8;
                    }

                    Vector128<float> dots = Reductions.Sum4(a0 + b0, a1 + b1, a2 + b2, a3 + b3);
                    for (int r = c; r < D; r++)
                    {
                        float q = Unsafe.Add(ref queryVector, r);
                        dots += Vector128.Create(q * WidenOne(Unsafe.Add(ref k0, r)), q * WidenOne(Unsafe.Add(ref k1, r)), q * WidenOne(Unsafe.Add(ref k2, r)),
                            q * WidenOne(Unsafe.Add(ref k3, r)));
                    }

                    (dots * TPath.ScoreScale).StoreUnsafe(ref scores[t]);
                }
            }

            for (; t < scores.Length; t++)
            {
                ref TElement row = ref Unsafe.Add(ref rows, t * _stride);
                int c = 0;
                float dot = 0f;
                if (Vector256.IsHardwareAccelerated && D >= 8)
                {
                    Vector256<float> s0 = Vector256<float>.Zero, s1 = Vector256<float>.Zero;
                    for (; c <= D - 16; c += 16)
                    {
                        s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref queryVector, (nuint)c), LoadWidened256(ref row, c), s0);
                        s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref queryVector, (nuint)(c + 8)), LoadWidened256(ref row, c + 8), s1);
                    }

                    for (; c <= D - 8; c += 8)
                    {
                        s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref queryVector, (nuint)c), LoadWidened256(ref row, c), s0);
                    }

                    dot = Vector256.Sum(s0 + s1);
                }

                for (; c < D; c++)
                {
                    dot += Unsafe.Add(ref queryVector, c) * WidenOne(Unsafe.Add(ref row, c));
                }

                scores[t] = dot * TPath.ScoreScale;
            }
        }

        /// <summary>
        /// <see cref="SplitRows512{TPath, TElement}.ScoreBlock"/> (bf16 or f16 read as finite, AVX-512) or
        /// <see cref="SplitRows256{TPath, TElement}.ScoreBlock"/> (f16 read as finite, AVX2) for these rows; false when
        /// neither applies, a query element is too large for f16's 2^112, or an f16 key held an infinity or a NaN.
        /// </summary>
        private bool ScoreBlockSplit(ref float queryVector, int start, scoped Span<float> scores)
        {
            bool wide = SplitRows512<TPath, TElement>.Supported;
            ref float query = ref MemoryMarshal.GetReference(_queryScratch);
            if (!(wide ? SplitRows512<TPath, TElement>.DeinterleaveRow(ref queryVector, ref query)
                : SplitRows256<TPath, TElement>.Supported && SplitColumns.DeinterleaveRow<TElement>(ref queryVector, ref query, D)))
            {
                return false;
            }

            ref TElement rows = ref Unsafe.Add(ref MemoryMarshal.GetReference(_key), start * _stride);
            int nextStart = start + 2 * scores.Length;
            int nextCount = _prefetch ? RowsFrom(_key, nextStart, scores.Length) : 0;
            ref TElement nextRows = ref nextCount > 0 ? ref Unsafe.Add(ref MemoryMarshal.GetReference(_key), (nint)nextStart * _stride) : ref rows;
            return wide ? SplitRows512<TPath, TElement>.ScoreBlock(ref rows, _stride, ref query, scores, ref nextRows, nextCount)
                : SplitRows256<TPath, TElement>.ScoreBlock(ref rows, _stride, ref query, scores, ref nextRows, nextCount);
        }

        /// <summary>
        /// acc = correction x acc + sum of weight x value row, straight from the 16-bit value rows: 32 columns at a time
        /// held in four registers while the block's rows stream past (each weight broadcast once per 32 columns).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // a call, as ScoreBlock
        public void AccumulateBlock(scoped Span<float> accumulator, float correction, scoped ReadOnlySpan<float> weights, int start)
        {
            if (typeof(TElement) == typeof(Half) && (SplitRows512<TPath, FiniteHalf>.Supported || SplitRows256<TPath, FiniteHalf>.Supported))
            {
                AsFinite().AccumulateBlock(accumulator, correction, weights, start); // tested in the loads, a strip with an infinity or NaN taken exactly
                return;
            }

            if (ElementTypes.FiniteHalfRows(_value, start * _stride, _stride, weights.Length, D))
            {
                AsFinite().AccumulateBlock(accumulator, correction, weights, start); // f16 with no infinity or NaN
                return;
            }

            // The stride in a local and the row reached by a stepped offset: read through `this` in the loop, the JIT
            // reloaded the field and multiplied per key, twice the cycles per FMA under llvm-mca (bench/RESULTS.md).
            int stride = _stride;
            ref TElement rows = ref Unsafe.Add(ref MemoryMarshal.GetReference(_value), start * stride);
            int aheadStart = start + 2 * weights.Length;
            int aheadValues = _prefetch && StripColumns > 0 ? RowsFrom(_value, aheadStart, weights.Length) : 0;
            ref TElement valueAhead = ref aheadValues > 0 ? ref Unsafe.Add(ref MemoryMarshal.GetReference(_value), (nint)aheadStart * stride) : ref rows;
            ref float sums = ref MemoryMarshal.GetReference(accumulator);
            ReadOnlySpan<float> stripWeights = weights;
            if (SplitLoads && typeof(TElement) == typeof(FiniteHalf) && D >= 32)
            {
                // LoadPair's f16 values are 2^-112 times the values: the strips take the weights times 2^112 (exact,
                // weights <= 1), scaled once here rather than once per strip.
                Debug.Assert(weights.Length <= AttentionEngine.KeyBlock, "blocks are at most AttentionEngine.KeyBlock keys");
                Span<float> scaled = stackalloc float[AttentionEngine.KeyBlock];
                SplitColumns.ScaleWeights(weights, scaled);
                stripWeights = scaled.Slice(0, weights.Length);
            }

            if (SplitRows512<TPath, TElement>.Supported)
            {
                SplitRows512<TPath, TElement>.AccumulateBlock(accumulator, correction, stripWeights, weights, ref rows, stride, ref valueAhead, aheadValues); // AVX-512
                return;
            }

            if (SplitRows256<TPath, TElement>.Supported)
            {
                SplitRows256<TPath, TElement>.AccumulateBlock(accumulator, correction, stripWeights, weights, ref rows, stride, ref valueAhead, aheadValues); // f16, AVX2
                return;
            }

            int c = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; c <= D - 32; c += 32)
                {
                    Vector256<float> s0 = Vector256.LoadUnsafe(ref sums, (nuint)c) * correction;
                    Vector256<float> s1 = Vector256.LoadUnsafe(ref sums, (nuint)(c + 8)) * correction;
                    Vector256<float> s2 = Vector256.LoadUnsafe(ref sums, (nuint)(c + 16)) * correction;
                    Vector256<float> s3 = Vector256.LoadUnsafe(ref sums, (nuint)(c + 24)) * correction;
                    if (SplitLoads)
                    {
                        (s0, s1) = SplitColumns.Deinterleave(s0, s1); // the paired loads' column order
                        (s2, s3) = SplitColumns.Deinterleave(s2, s3);
                    }

                    ref TElement column = ref Unsafe.Add(ref rows, c);
                    ref TElement aheadColumn = ref Unsafe.Add(ref valueAhead, c);
                    nint offset = 0; // stepped, not a bumped reference: that would end past the last row
                    for (int t = 0; t < weights.Length; t++, offset += stride)
                    {
                        if (t < aheadValues)
                        {
                            Prefetch.Columns(ref Unsafe.Add(ref aheadColumn, offset), 0, 32); // this strip of the row two blocks on (see ScoreBlock)
                        }

                        ref TElement row = ref Unsafe.Add(ref column, offset);
                        Vector256<float> weight = Vector256.Create(stripWeights[t]);
                        LoadPair(ref row, 0, out Vector256<float> x0, out Vector256<float> x1);
                        LoadPair(ref row, 16, out Vector256<float> x2, out Vector256<float> x3);
                        s0 = Vector256.FusedMultiplyAdd(weight, x0, s0);
                        s1 = Vector256.FusedMultiplyAdd(weight, x1, s1);
                        s2 = Vector256.FusedMultiplyAdd(weight, x2, s2);
                        s3 = Vector256.FusedMultiplyAdd(weight, x3, s3);
                    }

                    if (SplitLoads)
                    {
                        (s0, s1) = SplitColumns.Interleave(s0, s1);
                        (s2, s3) = SplitColumns.Interleave(s2, s3);
                    }

                    s0.StoreUnsafe(ref sums, (nuint)c);
                    s1.StoreUnsafe(ref sums, (nuint)(c + 8));
                    s2.StoreUnsafe(ref sums, (nuint)(c + 16));
                    s3.StoreUnsafe(ref sums, (nuint)(c + 24));
                }

                for (; c <= D - 8; c += 8)
                {
                    Vector256<float> s0 = Vector256.LoadUnsafe(ref sums, (nuint)c) * correction;
                    for (int t = 0; t < weights.Length; t++)
                    {
                        s0 = Vector256.FusedMultiplyAdd(Vector256.Create(weights[t]), LoadWidened256(ref Unsafe.Add(ref rows, t * stride + c), 0), s0);
                    }

                    s0.StoreUnsafe(ref sums, (nuint)c);
                }
            }

            for (; c < D; c++)
            {
                float sum = Unsafe.Add(ref sums, c) * correction;
                for (int t = 0; t < weights.Length; t++)
                {
                    sum += weights[t] * WidenOne(Unsafe.Add(ref rows, t * stride + c));
                }

                Unsafe.Add(ref sums, c) = sum;
            }
        }

        /// <summary>The same rows read as <see cref="FiniteHalf"/> (for f16 rows a caller has checked hold no infinity or NaN).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private StridedRows<TPath, FiniteHalf> AsFinite() =>
            new(MemoryMarshal.Cast<TElement, FiniteHalf>(_key), MemoryMarshal.Cast<TElement, FiniteHalf>(_value), _stride, _queryScratch, _valueScratch);

        /// <summary>Columns AccumulateBlock takes in 32-column strips (and prefetches strip by strip); the rest, ScoreBlock prefetches.</summary>
        private static int StripColumns
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Vector256.IsHardwareAccelerated ? D / 32 * 32 : 0;
        }

        /// <summary>Whether these rows are read with <see cref="SplitColumns"/> loads (bf16 and finite f16 with AVX2).</summary>
        private static bool SplitLoads
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => SplitColumns.Supported<TElement>();
        }

        /// <summary>
        /// 16 columns from <paramref name="row"/> + <paramref name="offset"/>, widened exactly: with <see cref="SplitLoads"/>
        /// the even columns in <paramref name="first"/> and the odd ones in <paramref name="second"/> (finite f16 as
        /// 2^-112 times its values, see <see cref="SplitColumns"/>), otherwise the first 8 and the next 8 in order.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void LoadPair(ref TElement row, int offset, out Vector256<float> first, out Vector256<float> second)
        {
            if (SplitLoads)
            {
                SplitColumns.Load(ref Unsafe.Add(ref row, offset), out first, out second);
            }
            else
            {
                first = LoadWidened256(ref row, offset);
                second = LoadWidened256(ref row, offset + 8);
            }
        }

        /// <summary>8 values from <paramref name="row"/> + <paramref name="offset"/>, widened exactly.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> LoadWidened256(ref TElement row, int offset) => Widening.LoadWidened256(ref Unsafe.Add(ref row, offset));

        /// <summary>One value, widened exactly.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float WidenOne(TElement value) => Widening.Widen(value);

        public ref float Values(int start, int count)
        {
            // The careful path of a masked block: AccumulateBlock, which prefetches the value rows two blocks on, is not
            // called for this block, so the hints are given here.
            int aheadStart = start + 2 * count;
            int ahead = _prefetch ? RowsFrom(_value, aheadStart, count) : 0;
            for (int t = 0; t < ahead; t++)
            {
                Prefetch.Row(ref Unsafe.Add(ref MemoryMarshal.GetReference(_value), (nint)(aheadStart + t) * _stride), D);
            }

            ElementTypes.WidenRows(_value, start * _stride, _stride, count, D, _valueScratch);
            return ref MemoryMarshal.GetReference(_valueScratch);
        }
    }
}
