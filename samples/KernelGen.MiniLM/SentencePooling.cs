using System;

namespace KernelGen.MiniLM
{
    /// <summary>
    /// The sentence-transformers head of all-MiniLM-L6-v2: the mean of each sentence's real token vectors (padding
    /// excluded), then division by its L2 norm (at least 1e-12, as torch.nn.functional.normalize). Sums in double.
    /// </summary>
    internal static class SentencePooling
    {
        /// <summary><paramref name="tokens"/> holds the real tokens only, [sum of lengths, 384], sentence after sentence.</summary>
        public static void MeanPoolAndNormalize(ReadOnlySpan<float> tokens, ReadOnlySpan<int> lengths, Span<float> embeddings)
        {
            const int hidden = MiniLMWeights.HiddenSize;
            Span<double> sum = stackalloc double[hidden];
            int row = 0;
            for (int item = 0; item < lengths.Length; item++)
            {
                sum.Clear();
                for (int position = 0; position < lengths[item]; position++, row++)
                {
                    ReadOnlySpan<float> values = tokens.Slice(row * hidden, hidden);
                    for (int index = 0; index < hidden; index++)
                    {
                        sum[index] += values[index];
                    }
                }

                double squares = 0;
                for (int index = 0; index < hidden; index++)
                {
                    sum[index] /= Math.Max(lengths[item], 1);
                    squares += sum[index] * sum[index];
                }

                double norm = Math.Max(Math.Sqrt(squares), 1e-12);
                Span<float> target = embeddings.Slice(item * hidden, hidden);
                for (int index = 0; index < hidden; index++)
                {
                    target[index] = (float)(sum[index] / norm);
                }
            }
        }
    }
}
