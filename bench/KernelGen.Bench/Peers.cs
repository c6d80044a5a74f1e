using System;
using System.Numerics.Tensors;

namespace KernelGen.Bench
{
    /// <summary>
    /// What a .NET user would write without KernelGen. Both peers visit only the keys the mask allows (a per-row key
    /// range [start, end)), which is the most favourable version of each; they share the same buffers across calls.
    /// </summary>
    public sealed class Peers
    {
        private readonly float[] _scores;
        private readonly float[] _row;

        public Peers(int maxKeys, int headDimension)
        {
            _scores = new float[maxKeys];
            _row = new float[headDimension];
        }

        /// <summary>Plain scalar C#: a row of scores, a max-subtracted softmax, a weighted sum.</summary>
        public void Naive(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)
        {
            int d = spec.HeadDimension;
            int queries = query.Length / d;
            int keys = key.Length / d;
            for (int i = 0; i < queries; i++)
            {
                (int start, int end) = Range(spec, i, queries, keys);
                float max = float.NegativeInfinity;
                for (int j = start; j < end; j++)
                {
                    float dot = 0;
                    for (int c = 0; c < d; c++)
                    {
                        dot += query[i * d + c] * key[j * d + c];
                    }

                    _scores[j] = dot * spec.Scale;
                    max = MathF.Max(max, _scores[j]);
                }

                float sum = 0;
                Span<float> output_i = output.Slice(i * d, d);
                output_i.Clear();
                for (int j = start; j < end; j++)
                {
                    float weight = MathF.Exp(_scores[j] - max);
                    sum += weight;
                    for (int c = 0; c < d; c++)
                    {
                        output_i[c] += weight * value[j * d + c];
                    }
                }

                for (int c = 0; c < d && sum > 0; c++)
                {
                    output_i[c] /= sum;
                }
            }
        }

        /// <summary>System.Numerics.Tensors, unfused per row: Dot per key, Max, Exp, Sum, then MultiplyAdd per key.</summary>
        public void TensorPrimitivesUnfused(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)
        {
            int d = spec.HeadDimension;
            int queries = query.Length / d;
            int keys = key.Length / d;
            for (int i = 0; i < queries; i++)
            {
                (int start, int end) = Range(spec, i, queries, keys);
                ReadOnlySpan<float> q = query.Slice(i * d, d);
                Span<float> scores = _scores.AsSpan(start, end - start);
                for (int j = start; j < end; j++)
                {
                    scores[j - start] = TensorPrimitives.Dot(q, key.Slice(j * d, d));
                }

                TensorPrimitives.Multiply(scores, spec.Scale, scores);
                float max = TensorPrimitives.Max(scores);
                TensorPrimitives.Subtract(scores, max, scores);
                TensorPrimitives.Exp(scores, scores);
                float sum = TensorPrimitives.Sum(scores);
                Span<float> row = _row;
                row.Clear();
                for (int j = start; j < end; j++)
                {
                    TensorPrimitives.MultiplyAdd(value.Slice(j * d, d), scores[j - start], row, row);
                }

                TensorPrimitives.Divide(row, sum, output.Slice(i * d, d));
            }
        }

        private static (int Start, int End) Range(AttentionSpec spec, int row, int queries, int keys)
        {
            int position = row + keys - queries;
            int end = spec.Causal ? Math.Max(0, position + 1) : keys;
            int start = spec.Window is { } window ? Math.Clamp(position - window.Left, 0, end) : 0;
            return (start, end);
        }
    }
}
