using System;

namespace KernelGen.Engine
{
    /// <summary>
    /// The head-dimension code of one kernel at one vector width (generated: the d-unrolled micro-kernels, with the
    /// kernel's scale folded in). The engine is generic over it, so each width is compiled separately and every call
    /// below is a direct, inlinable call.
    /// </summary>
    public interface IHeadDimensionPath
    {
        /// <summary>d, floats per row.</summary>
        static abstract int HeadDimension { get; }

        /// <summary>Query rows per tile micro-kernel (at most <see cref="AttentionEngine.MaxRowTile"/>); 0 when rows run one at a time.</summary>
        static abstract int RowTile { get; }

        /// <summary>scores[t] = Scale * dot(queryVector, key row t), for the contiguous key rows starting at keyRows.</summary>
        static abstract void ScoreBlock(ref float queryVector, ref float keyRows, Span<float> scores);

        /// <summary>accumulator = correction * accumulator + sum over t of weights[t] * value row t.</summary>
        static abstract void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueRows);

        /// <summary>scores[r * KeyBlock + t] = Scale * dot(query row r, key t) for RowTile rows and the 16 keys of a packed block.</summary>
        static abstract void ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores);

        /// <summary>For each of RowTile rows: acc_r = corrections[r] * acc_r + sum over t &lt; keyCount of weights[r * KeyBlock + t] * value row t.</summary>
        static abstract void AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount);
    }
}
