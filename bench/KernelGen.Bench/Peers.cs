using System;
using System.Numerics.Tensors;

namespace KernelGen.Bench
{
    /// <summary>
    /// What a .NET user would write without KernelGen. Both peers visit only the keys the mask allows (a per-row list:
    /// the window's range plus the global keys outside it), the most favourable form of each; buffers are reused.
    /// </summary>
    public sealed class Peers
    {
        private readonly float[] _scores;
        private readonly float[] _row;
        private readonly int[] _keys;

        public Peers(int maxKeys, int headDimension)
        {
            _scores = new float[maxKeys];
            _row = new float[headDimension];
            _keys = new int[maxKeys];
        }

        /// <summary>Plain scalar C#: a row of scores, a max-subtracted softmax, a weighted sum.</summary>
        public void Naive(AttentionSpec spec, ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)
        {
            int d = spec.HeadDimension;
            int queries = query.Length / d;
            int keys = key.Length / d;
            for (int i = 0; i < queries; i++)
            {
                int count = AllowedKeys(spec, i, queries, keys);
                float max = float.NegativeInfinity;
                for (int n = 0; n < count; n++)
                {
                    int j = _keys[n];
                    float dot = 0;
                    for (int c = 0; c < d; c++)
                    {
                        dot += query[i * d + c] * key[j * d + c];
                    }

                    _scores[n] = dot * spec.Scale;
                    max = MathF.Max(max, _scores[n]);
                }

                float sum = 0;
                Span<float> row = output.Slice(i * d, d);
                row.Clear();
                for (int n = 0; n < count; n++)
                {
                    float weight = MathF.Exp(_scores[n] - max);
                    sum += weight;
                    int j = _keys[n];
                    for (int c = 0; c < d; c++)
                    {
                        row[c] += weight * value[j * d + c];
                    }
                }

                for (int c = 0; c < d && sum > 0; c++)
                {
                    row[c] /= sum;
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
                int count = AllowedKeys(spec, i, queries, keys);
                ReadOnlySpan<float> q = query.Slice(i * d, d);
                Span<float> scores = _scores.AsSpan(0, count);
                for (int n = 0; n < count; n++)
                {
                    scores[n] = TensorPrimitives.Dot(q, key.Slice(_keys[n] * d, d));
                }

                TensorPrimitives.Multiply(scores, spec.Scale, scores);
                float max = TensorPrimitives.Max(scores);
                TensorPrimitives.Subtract(scores, max, scores);
                TensorPrimitives.Exp(scores, scores);
                float sum = TensorPrimitives.Sum(scores);
                Span<float> row = _row;
                row.Clear();
                for (int n = 0; n < count; n++)
                {
                    TensorPrimitives.MultiplyAdd(value.Slice(_keys[n] * d, d), scores[n], row, row);
                }

                TensorPrimitives.Divide(row, sum, output.Slice(i * d, d));
            }
        }

        /// <summary>Fills the allowed keys of row i in ascending order; returns how many.</summary>
        private int AllowedKeys(AttentionSpec spec, int row, int queries, int keys)
        {
            int position = row + keys - queries;
            int end = spec.Causal ? Math.Max(0, Math.Min(keys, position + 1)) : keys;
            int start = 0;
            bool globalRow = position >= 0 && position < keys && IsGlobal(spec, position);
            if (spec.Window is { } window && !globalRow)
            {
                start = Math.Clamp(position - window.Left, 0, end);
                end = Math.Clamp(position + window.Right + 1, start, end);
            }

            int count = 0;
            if (spec.Window is not null && !globalRow)
            {
                foreach (int g in spec.GlobalPositions)
                {
                    if (g < start && spec.IsAllowed(row, g, queries, keys))
                    {
                        _keys[count++] = g;
                    }
                }
            }

            for (int j = start; j < end; j++)
            {
                _keys[count++] = j;
            }

            if (spec.Window is not null && !globalRow)
            {
                foreach (int g in spec.GlobalPositions)
                {
                    if (g >= end && spec.IsAllowed(row, g, queries, keys))
                    {
                        _keys[count++] = g;
                    }
                }
            }

            return count;
        }

        private static bool IsGlobal(AttentionSpec spec, int position)
        {
            foreach (int g in spec.GlobalPositions)
            {
                if (g == position)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
