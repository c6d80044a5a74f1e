using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace KernelGen.MiniLM
{
    /// <summary>
    /// BERT uncased tokenization as sentence-transformers runs it for all-MiniLM-L6-v2 (Hugging Face BertTokenizer with
    /// do_lower_case, the defaults otherwise), written from its published description:
    /// <list type="number">
    /// <item>clean: drop U+0000, U+FFFD and control characters (Unicode category C*, except tab, CR, LF); every whitespace
    /// character (space, tab, CR, LF, category Zs) becomes a space;</item>
    /// <item>put spaces around CJK ideographs (the CJK Unified Ideographs blocks and extensions A to E, the compatibility blocks);</item>
    /// <item>split on spaces; per word: lower case, NFD, drop non-spacing marks (Mn) — so "Café" is "cafe" — and split
    /// off every punctuation character (ASCII !-/ :-@ [-` {-~ and Unicode categories P*) as a word of its own;</item>
    /// <item>WordPiece: greedy longest match from the start of the word, continuation pieces prefixed "##"; a word
    /// longer than 100 characters, or with a part no vocabulary piece matches, becomes one [UNK];</item>
    /// <item>[CLS] + the first 254 pieces + [SEP]: 256 ids at most (the model's max_seq_length), cut between pieces.</item>
    /// </list>
    /// Microsoft.ML.Tokenizers' BertTokenizer (2.0.1) was tried first and differs from this: it drops symbols such as
    /// "€", "☃" and emoji instead of keeping them (as a piece, or as [UNK]), and it deletes a tab instead of splitting
    /// on it ("tab\tsep" became one word).
    /// Known difference from Python, not met in the sample: .NET's invariant lower-casing has no final-sigma rule
    /// (a word-final capital sigma becomes σ here and ς in Python).
    /// </summary>
    internal sealed class SentenceTokenizer
    {
        /// <summary>sentence-transformers' max_seq_length for this model, special tokens included.</summary>
        public const int MaxTokens = 256;

        /// <summary>Hugging Face's max_input_chars_per_word: longer words are [UNK] without trying WordPiece.</summary>
        private const int MaxCharactersPerWord = 100;

        private readonly string[] _pieces;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public SentenceTokenizer(Stream vocabulary)
        {
            // vocab.txt: one word piece a line, the line number is its id.
            var pieces = new List<string>();
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            using (var reader = new StreamReader(vocabulary, Encoding.UTF8))
            {
                while (reader.ReadLine() is string line)
                {
                    ids.TryAdd(line, pieces.Count);
                    pieces.Add(line);
                }
            }

            _pieces = pieces.ToArray();
            _lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
            ClassificationId = Id("[CLS]");
            SeparatorId = Id("[SEP]");
            PaddingId = Id("[PAD]");
            UnknownId = Id("[UNK]");
        }

        public int ClassificationId { get; }

        public int SeparatorId { get; }

        public int PaddingId { get; }

        public int UnknownId { get; }

        public int[] Encode(string text)
        {
            var ids = new List<int> { ClassificationId };
            foreach (string word in BasicTokens(text))
            {
                AppendWordPieces(word, ids);
            }

            if (ids.Count > MaxTokens - 1)
            {
                ids.RemoveRange(MaxTokens - 1, ids.Count - (MaxTokens - 1));
            }

            ids.Add(SeparatorId);
            return ids.ToArray();
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

        /// <summary>Steps 1 to 3: the words and punctuation marks of the text, lower-cased and without accents.</summary>
        private static List<string> BasicTokens(string text)
        {
            // 1 and 2: clean, space out CJK ideographs.
            var cleaned = new StringBuilder(text.Length);
            foreach (Rune rune in text.EnumerateRunes())
            {
                if (rune.Value == 0 || rune.Value == 0xFFFD || IsControl(rune))
                {
                    continue;
                }

                if (IsWhitespace(rune))
                {
                    cleaned.Append(' ');
                }
                else if (IsCjk(rune.Value))
                {
                    cleaned.Append(' ').Append(rune.ToString()).Append(' ');
                }
                else
                {
                    cleaned.Append(rune.ToString());
                }
            }

            // 3: per space-separated token, lower case, strip accents, split off punctuation.
            var words = new List<string>();
            var word = new StringBuilder();
            foreach (string token in cleaned.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                // Python's lower() maps U+0130 (capital I with dot) to "i" + U+0307 (its one unconditional full mapping that
                // differs from the simple one); .NET's invariant casing leaves U+0130 as it is, so map it first.
                string decomposed = token.Replace("\u0130", "i\u0307", StringComparison.Ordinal).ToLowerInvariant().Normalize(NormalizationForm.FormD);
                foreach (Rune rune in decomposed.EnumerateRunes())
                {
                    if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
                    {
                        continue;
                    }

                    if (IsPunctuation(rune))
                    {
                        Flush(word, words);
                        words.Add(rune.ToString());
                    }
                    else
                    {
                        word.Append(rune.ToString());
                    }
                }

                Flush(word, words);
            }

            return words;
        }

        /// <summary>Step 4: greedy longest-match WordPiece; a word with an unmatched part is one [UNK].</summary>
        private void AppendWordPieces(string word, List<int> ids)
        {
            // Character boundaries in UTF-16 units, so a piece never ends inside a surrogate pair.
            var boundaries = new List<int>();
            for (int offset = 0; offset < word.Length; offset += char.IsSurrogatePair(word, offset) ? 2 : 1)
            {
                boundaries.Add(offset);
            }

            boundaries.Add(word.Length);
            int characters = boundaries.Count - 1;
            if (characters > MaxCharactersPerWord)
            {
                ids.Add(UnknownId);
                return;
            }

            int first = ids.Count;
            Span<char> candidate = stackalloc char[2 + word.Length];
            candidate[0] = '#';
            candidate[1] = '#';
            for (int start = 0; start < characters;)
            {
                int prefix = start == 0 ? 0 : 2;
                int matched = -1, matchedEnd = start;
                for (int end = characters; end > start; end--)
                {
                    ReadOnlySpan<char> piece = word.AsSpan(boundaries[start], boundaries[end] - boundaries[start]);
                    piece.CopyTo(candidate[2..]);
                    if (_lookup.TryGetValue(candidate[(2 - prefix)..(2 + piece.Length)], out int id))
                    {
                        matched = id;
                        matchedEnd = end;
                        break;
                    }
                }

                if (matched < 0)
                {
                    ids.RemoveRange(first, ids.Count - first);
                    ids.Add(UnknownId);
                    return;
                }

                ids.Add(matched);
                start = matchedEnd;
            }
        }

        private int Id(string piece) => _lookup.TryGetValue(piece, out int id) ? id : throw new InvalidOperationException($"The vocabulary has no {piece}.");

        private static void Flush(StringBuilder word, List<string> words)
        {
            if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        private static bool IsWhitespace(Rune rune) =>
            rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;

        /// <summary>Category C* (control, format, surrogate, private use, unassigned), except tab, LF and CR, which are whitespace.</summary>
        private static bool IsControl(Rune rune)
        {
            if (rune.Value is '\t' or '\n' or '\r')
            {
                return false;
            }

            return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
        }

        /// <summary>All non-letter, non-digit ASCII printables (BERT counts "$", "^", "`" as punctuation), and Unicode P*.</summary>
        private static bool IsPunctuation(Rune rune)
        {
            int value = rune.Value;
            if (value is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
            {
                return true;
            }

            return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
                or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
        }

        private static bool IsCjk(int value) =>
            value is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
                or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
    }
}
