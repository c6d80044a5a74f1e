namespace KernelGen.MiniLM
{
    /// <summary>
    /// A padded batch of token ids [B, N] (int64, as the tokenizer writes them and ONNX Runtime's input_ids takes them)
    /// and each sentence's real length (N = the longest).
    /// </summary>
    internal sealed record TokenBatch(long[] Ids, int[] Lengths, int Positions)
    {
        public int Count => Lengths.Length;

        /// <summary>Real tokens over the whole batch (padding excluded).</summary>
        public int TokenCount
        {
            get
            {
                int total = 0;
                foreach (int length in Lengths)
                {
                    total += length;
                }

                return total;
            }
        }
    }
}
