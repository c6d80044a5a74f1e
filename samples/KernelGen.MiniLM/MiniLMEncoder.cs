using System;
using System.Diagnostics;
using System.Numerics.Tensors;

namespace KernelGen.MiniLM
{
    /// <summary>
    /// all-MiniLM-L6-v2 in C#: embeddings + LayerNorm, 6 BERT layers (attention through the KernelGen kernel), then the
    /// sentence-transformers head: mean pooling over each sentence's real tokens and L2 normalisation.
    /// <para>
    /// Token-wise work (projections, LayerNorms, feed-forward) runs on the real tokens only, packed densely [T, 384] with
    /// T = the sum of the lengths; only attention sees the padded [B, N, H, d] layout, where the kernel skips the padding
    /// through keyLengths/queryLengths. The buffers are allocated once per batch shape and reused.
    /// </para>
    /// </summary>
    internal sealed class MiniLMEncoder
    {
        private const int Hidden = MiniLMWeights.HiddenSize;

        private readonly MiniLMWeights _weights;
        private int _tokenCapacity = -1, _paddedCapacity = -1;
        private float[] _hidden = [], _attended = [], _query = [], _key = [], _value = [], _intermediate = [];
        private float[] _paddedQuery = [], _paddedKey = [], _paddedValue = [], _paddedOutput = [];

        public MiniLMEncoder(MiniLMWeights weights)
        {
            _weights = weights;
        }

        /// <summary>Threads for the matrix products and for the attention kernel (AttentionThreading.MaxDegreeOfParallelism).</summary>
        public int Threads { get; set; } = 1;

        /// <summary>Time spent inside the attention kernel calls since the last reset.</summary>
        public TimeSpan AttentionTime { get; private set; }

        public void ResetAttentionTime() => AttentionTime = TimeSpan.Zero;

        /// <summary>
        /// Encodes a batch. Returns the last hidden state of the real tokens, [T, 384] in batch order (valid until the next
        /// call), and writes each sentence's normalised embedding into <paramref name="embeddings"/> [B, 384].
        /// </summary>
        public ReadOnlySpan<float> Encode(TokenBatch batch, Span<float> embeddings)
        {
            if (batch.Positions > MiniLMWeights.MaxPositions)
            {
                throw new ArgumentException($"The batch is padded to {batch.Positions} positions; the model has {MiniLMWeights.MaxPositions}.", nameof(batch));
            }

            int tokens = batch.TokenCount;
            int padded = batch.Count * batch.Positions;
            Reserve(tokens, padded);
            AttentionThreading.MaxDegreeOfParallelism = Threads;

            Embed(batch);
            foreach (EncoderLayer layer in _weights.Layers)
            {
                // Self-attention: Q, K, V projections on the real tokens, spread into the padded layout, attend, gather back.
                MatrixMultiply.Multiply(_hidden, tokens, layer.Query.Weight, layer.Query.Bias, null, _query, Activation.None, Threads);
                MatrixMultiply.Multiply(_hidden, tokens, layer.Key.Weight, layer.Key.Bias, null, _key, Activation.None, Threads);
                MatrixMultiply.Multiply(_hidden, tokens, layer.Value.Weight, layer.Value.Bias, null, _value, Activation.None, Threads);
                Spread(batch, _query, _paddedQuery);
                Spread(batch, _key, _paddedKey);
                Spread(batch, _value, _paddedValue);
                long start = Stopwatch.GetTimestamp();
                // The kernel's tensor form (generated because this project references System.Numerics.Tensors): the
                // shapes say [B, N, H, d] and the kernel checks them; the span form with `batch.Count` is equivalent.
                ReadOnlySpan<nint> shape = [batch.Count, batch.Positions, MiniLMWeights.Heads, MiniLMWeights.HeadDimension];
                MiniLMAttention.Attend(
                    new ReadOnlyTensorSpan<float>(_paddedQuery.AsSpan(0, padded * Hidden), shape),
                    new ReadOnlyTensorSpan<float>(_paddedKey.AsSpan(0, padded * Hidden), shape),
                    new ReadOnlyTensorSpan<float>(_paddedValue.AsSpan(0, padded * Hidden), shape),
                    new TensorSpan<float>(_paddedOutput.AsSpan(0, padded * Hidden), shape),
                    batch.Lengths, batch.Lengths);
                AttentionTime += Stopwatch.GetElapsedTime(start);
                Gather(batch, _paddedOutput, _query);

                // Output projection + residual, LayerNorm; feed-forward (GELU) + residual, LayerNorm.
                MatrixMultiply.Multiply(_query, tokens, layer.AttentionOutput.Weight, layer.AttentionOutput.Bias, _hidden, _attended, Activation.None, Threads);
                LayerNorm(_attended, tokens, layer.AttentionNorm);
                MatrixMultiply.Multiply(_attended, tokens, layer.Intermediate.Weight, layer.Intermediate.Bias, null, _intermediate, Activation.Gelu, Threads);
                MatrixMultiply.Multiply(_intermediate, tokens, layer.Output.Weight, layer.Output.Bias, _attended, _hidden, Activation.None, Threads);
                LayerNorm(_hidden, tokens, layer.OutputNorm);
            }

            ReadOnlySpan<float> lastHidden = _hidden.AsSpan(0, tokens * Hidden);
            SentencePooling.MeanPoolAndNormalize(lastHidden, batch.Lengths, embeddings);
            return lastHidden;
        }

        /// <summary>word + token type 0, + position (the export's order of additions), then the embedding LayerNorm.</summary>
        private void Embed(TokenBatch batch)
        {
            ReadOnlySpan<float> typeZero = _weights.TokenTypeEmbeddings.AsSpan(0, Hidden);
            int vocabulary = _weights.VocabularySize;
            int row = 0;
            for (int item = 0; item < batch.Count; item++)
            {
                for (int position = 0; position < batch.Lengths[item]; position++, row++)
                {
                    long id = batch.Ids[item * batch.Positions + position];
                    if ((ulong)id >= (ulong)vocabulary)
                    {
                        throw new ArgumentException($"Token id {id} is outside the vocabulary of {vocabulary}.", nameof(batch));
                    }

                    Span<float> target = _hidden.AsSpan(row * Hidden, Hidden);
                    TensorPrimitives.Add(_weights.WordEmbeddings.AsSpan((int)id * Hidden, Hidden), typeZero, target);
                    TensorPrimitives.Add(target, _weights.PositionEmbeddings.AsSpan(position * Hidden, Hidden), target);
                }
            }

            LayerNorm(_hidden, row, _weights.EmbeddingNorm);
        }

        /// <summary>
        /// Row-wise LayerNorm in float, as the exported graph computes it: mean, centre, mean of squares, divide by
        /// sqrt(variance + epsilon), scale, shift.
        /// </summary>
        private static void LayerNorm(float[] rows, int count, LayerNormParameters norm)
        {
            for (int row = 0; row < count; row++)
            {
                Span<float> values = rows.AsSpan(row * Hidden, Hidden);
                float mean = TensorPrimitives.Sum(values) / Hidden;
                TensorPrimitives.Subtract(values, mean, values);
                float variance = TensorPrimitives.SumOfSquares(values) / Hidden;
                TensorPrimitives.Divide(values, MathF.Sqrt(variance + norm.Epsilon), values);
                TensorPrimitives.FusedMultiplyAdd(values, norm.Scale, norm.Bias, values);
            }
        }

        /// <summary>Dense rows [T, 384] to the padded [B, N, 384] layout (= [B, N, 12, 32]); padding rows stay as they are.</summary>
        private static void Spread(TokenBatch batch, float[] dense, float[] padded)
        {
            int row = 0;
            for (int item = 0; item < batch.Count; item++)
            {
                int length = batch.Lengths[item];
                dense.AsSpan(row * Hidden, length * Hidden).CopyTo(padded.AsSpan(item * batch.Positions * Hidden, length * Hidden));
                row += length;
            }
        }

        /// <summary>The real rows of the padded layout back to dense [T, 384].</summary>
        private static void Gather(TokenBatch batch, float[] padded, float[] dense)
        {
            int row = 0;
            for (int item = 0; item < batch.Count; item++)
            {
                int length = batch.Lengths[item];
                padded.AsSpan(item * batch.Positions * Hidden, length * Hidden).CopyTo(dense.AsSpan(row * Hidden, length * Hidden));
                row += length;
            }
        }

        /// <summary>Grows the buffers when a batch needs more room; new buffers are zeroed, so padding rows are zeros.</summary>
        private void Reserve(int tokens, int padded)
        {
            if (tokens > _tokenCapacity)
            {
                _tokenCapacity = tokens;
                _hidden = new float[tokens * Hidden];
                _attended = new float[tokens * Hidden];
                _query = new float[tokens * Hidden];
                _key = new float[tokens * Hidden];
                _value = new float[tokens * Hidden];
                _intermediate = new float[tokens * MiniLMWeights.IntermediateSize];
            }

            if (padded > _paddedCapacity)
            {
                _paddedCapacity = padded;
                _paddedQuery = new float[padded * Hidden];
                _paddedKey = new float[padded * Hidden];
                _paddedValue = new float[padded * Hidden];
                _paddedOutput = new float[padded * Hidden];
            }
        }
    }
}
