using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Tokenizers;

namespace KernelGen.MiniLM
{
    /// <summary>A padded batch of token ids [B, N] and each sentence's real length (N = the longest).</summary>
    internal sealed record TokenBatch(int[] Ids, int[] Lengths, int Positions)
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

    /// <summary>
    /// BERT uncased tokenization as sentence-transformers runs it for all-MiniLM-L6-v2: basic tokenization (clean control
    /// characters, lower case, strip accents by NFD + removing non-spacing marks, split punctuation, CJK characters one by
    /// one), then WordPiece over vocab.txt ([UNK] for a word that cannot be split into vocabulary pieces), then
    /// [CLS] pieces [SEP], truncated to 256 ids in all (max_seq_length of the model's sentence-transformers config).
    /// </summary>
    internal sealed class SentenceTokenizer
    {
        /// <summary>sentence-transformers' max_seq_length for this model, special tokens included.</summary>
        public const int MaxTokens = 256;

        private readonly BertTokenizer _tokenizer;
        private readonly string[] _pieces;

        public SentenceTokenizer(Stream vocabulary)
        {
            // vocab.txt: one word piece a line, the line number is its id.
            var buffer = new MemoryStream();
            vocabulary.CopyTo(buffer);
            buffer.Position = 0;
            var pieces = new List<string>();
            using (var reader = new StreamReader(buffer, leaveOpen: true))
            {
                while (reader.ReadLine() is string line)
                {
                    pieces.Add(line);
                }
            }

            _pieces = pieces.ToArray();
            buffer.Position = 0;

            // Uncased BERT lower-cases AND strips accents (Hugging Face: strip_accents defaults to do_lower_case); the
            // library does the first by default but not the second, so both are set explicitly.
            _tokenizer = BertTokenizer.Create(buffer, new BertOptions
            {
                LowerCaseBeforeTokenization = true,
                RemoveNonSpacingMarks = true,
                ApplyBasicTokenization = true,
                IndividuallyTokenizeCjk = true,
                UnknownToken = "[UNK]",
            });
        }

        public int ClassificationId => _tokenizer.ClassificationTokenId;

        public int SeparatorId => _tokenizer.SeparatorTokenId;

        public int PaddingId => _tokenizer.PaddingTokenId;

        public int UnknownId => _tokenizer.UnknownTokenId;

        /// <summary>[CLS] + the first 254 word pieces + [SEP] (Hugging Face truncates word pieces, possibly inside a word).</summary>
        public int[] Encode(string text)
        {
            IReadOnlyList<int> pieces = _tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);
            int kept = Math.Min(pieces.Count, MaxTokens - 2);
            int[] ids = new int[kept + 2];
            ids[0] = ClassificationId;
            for (int index = 0; index < kept; index++)
            {
                ids[index + 1] = pieces[index];
            }

            ids[kept + 1] = SeparatorId;
            return ids;
        }

        /// <summary>The word pieces of ids, for display.</summary>
        public string Decode(ReadOnlySpan<int> ids)
        {
            var pieces = new List<string>(ids.Length);
            foreach (int id in ids)
            {
                pieces.Add((uint)id < (uint)_pieces.Length ? _pieces[id] : "?");
            }

            return string.Join(" ", pieces);
        }

        /// <summary>Encodes every sentence and pads with [PAD] to the longest.</summary>
        public TokenBatch EncodeBatch(IReadOnlyList<string> sentences)
        {
            var encoded = new int[sentences.Count][];
            int positions = 1;
            for (int index = 0; index < sentences.Count; index++)
            {
                encoded[index] = Encode(sentences[index]);
                positions = Math.Max(positions, encoded[index].Length);
            }

            int[] ids = new int[sentences.Count * positions];
            Array.Fill(ids, PaddingId);
            int[] lengths = new int[sentences.Count];
            for (int index = 0; index < sentences.Count; index++)
            {
                encoded[index].CopyTo(ids, index * positions);
                lengths[index] = encoded[index].Length;
            }

            return new TokenBatch(ids, lengths, positions);
        }
    }
}
