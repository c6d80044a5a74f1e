using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using FastBertTokenizer;

namespace KernelGen.MiniLM
{
    /// <summary>
    /// The model's tokenizer: FastBertTokenizer's <see cref="BertTokenizer"/> (BERT uncased basic tokenization and
    /// WordPiece, as Hugging Face's BertTokenizer runs them for all-MiniLM-L6-v2) loaded with the model's vocab.txt.
    /// This class only cuts at the model's 256 ids, pads a batch and shows the word pieces.
    /// <para>
    /// Known difference from Hugging Face, not met in the sample: a word of more than 100 characters is split into
    /// pieces here, where Hugging Face gives one [UNK] (its max_input_chars_per_word). Microsoft.ML.Tokenizers 2.0.1's
    /// BertTokenizer is not used: it drops symbols such as "€", "☃" and emoji (Hugging Face keeps them as a piece or as
    /// [UNK]) and joins the words on either side of a tab (dotnet/machinelearning issues 7724 and 7725).
    /// </para>
    /// </summary>
    internal sealed class SentenceTokenizer
    {
        /// <summary>sentence-transformers' max_seq_length for this model, [CLS] and [SEP] included.</summary>
        public const int MaxTokens = 256;

        private readonly BertTokenizer _tokenizer = new();
        private readonly string[] _pieces;

        /// <summary>Reads vocab.txt: one word piece a line, the line number is its id.</summary>
        public SentenceTokenizer(Stream vocabulary)
        {
            string text;
            using (var reader = new StreamReader(vocabulary, Encoding.UTF8))
            {
                text = reader.ReadToEnd();
            }

            var pieces = new List<string>();
            using (var lines = new StringReader(text))
            {
                while (lines.ReadLine() is string line)
                {
                    pieces.Add(line);
                }
            }

            _pieces = pieces.ToArray();
            _tokenizer.LoadVocabulary(new StringReader(text), convertInputToLowercase: true);
            int unknown = Array.IndexOf(_pieces, "[UNK]");
            UnknownId = unknown >= 0 ? unknown : throw new InvalidOperationException("The vocabulary has no [UNK].");
        }

        public long UnknownId { get; }

        /// <summary>[CLS], the word pieces (at most 254, cut between pieces), [SEP].</summary>
        public long[] Encode(string text) => _tokenizer.Encode(text, MaxTokens).InputIds.ToArray();

        /// <summary>Encodes every sentence and pads with [PAD] to the longest.</summary>
        public TokenBatch EncodeBatch(IReadOnlyList<string> sentences)
        {
            // First the lengths, then each sentence straight into its row of the batch, padded to the longest.
            long[] row = new long[MaxTokens], mask = new long[MaxTokens];
            int[] lengths = new int[sentences.Count];
            int positions = 1;
            for (int index = 0; index < sentences.Count; index++)
            {
                lengths[index] = _tokenizer.Encode(sentences[index], row, mask);
                positions = Math.Max(positions, lengths[index]);
            }

            long[] ids = new long[sentences.Count * positions];
            for (int index = 0; index < sentences.Count; index++)
            {
                _tokenizer.Encode(sentences[index], ids.AsSpan(index * positions, positions), mask.AsSpan(0, positions), padTo: positions);
            }

            return new TokenBatch(ids, lengths, positions);
        }

        /// <summary>The word pieces of ids, for display.</summary>
        public string Decode(ReadOnlySpan<long> ids)
        {
            var pieces = new List<string>(ids.Length);
            foreach (long id in ids)
            {
                pieces.Add((ulong)id < (ulong)_pieces.Length ? _pieces[id] : "?");
            }

            return string.Join(" ", pieces);
        }
    }
}
