using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>The shape of one batched multi-head call, as <see cref="BatchedAttention.Validate"/> derives it.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct BatchedShape
    {
        /// <summary>A shape from its parts (no validation; <see cref="BatchedAttention.Validate"/> derives checked ones).</summary>
        public BatchedShape(AttentionLayout layout, int headDimension, int heads, int keyValueHeads, int batch, int queryCount, int keyCount, bool packed = false)
        {
            Packed = packed;
            Layout = layout;
            HeadDimension = headDimension;
            Heads = heads;
            KeyValueHeads = keyValueHeads;
            Batch = batch;
            QueryCount = queryCount;
            KeyCount = keyCount;
        }

        /// <summary>
        /// Whether the items are packed back to back ([total, H, d], item b at rows sequenceStarts[b] ..
        /// sequenceStarts[b + 1]); <see cref="QueryCount"/> and <see cref="KeyCount"/> are then the total row count.
        /// </summary>
        public bool Packed { get; }

        /// <summary>How the spans are laid out.</summary>
        public AttentionLayout Layout { get; }

        /// <summary>d, floats per row.</summary>
        public int HeadDimension { get; }

        /// <summary>H, the query (and output) heads.</summary>
        public int Heads { get; }

        /// <summary>The key and value heads; query head h reads key/value head h / (Heads / KeyValueHeads).</summary>
        public int KeyValueHeads { get; }

        /// <summary>B, the batch items.</summary>
        public int Batch { get; }

        /// <summary>Nq, the query positions per batch item (padding included).</summary>
        public int QueryCount { get; }

        /// <summary>Nk, the key positions per batch item (padding included).</summary>
        public int KeyCount { get; }

        /// <summary>The offset of row <paramref name="position"/> of head <paramref name="head"/> of item <paramref name="item"/> in a span of <paramref name="heads"/> heads and <paramref name="positions"/> positions.</summary>
        /// <remarks>Computed in 64 bits; an offset past int.MaxValue (never one inside a validated span) throws <see cref="OverflowException"/>.</remarks>
        public int RowOffset(int item, int head, int position, int heads, int positions) => checked((int)(Layout == AttentionLayout.BatchHeadSeqDim
            ? (((long)item * heads + head) * positions + position) * HeadDimension
            : (((long)item * positions + position) * heads + head) * HeadDimension));
    }
}
