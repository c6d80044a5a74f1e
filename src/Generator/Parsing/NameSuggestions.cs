using System;
using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Generator.Parsing
{
    /// <summary>
    /// "Did you mean" for a run-time parameter's name: the table names closest to what the user wrote, so KG0015 can
    /// name the one fix instead of listing every parameter.
    /// </summary>
    internal static class NameSuggestions
    {
        /// <summary>
        /// The candidates nearest to <paramref name="name"/> (at most two, in the candidates' order): those within a small
        /// case-insensitive edit distance (a quarter of the candidate's length, at least 1: <c>keyLength</c> is one edit
        /// from <c>keyLengths</c>), or, failing that, those containing the name or contained in it (<c>lengths</c> is part
        /// of <c>keyLengths</c> and <c>queryLengths</c>). Empty when nothing is close.
        /// </summary>
        public static IReadOnlyList<string> Nearest(string name, IReadOnlyList<string> candidates)
        {
            var close = new List<(string Candidate, int Distance)>();
            foreach (string candidate in candidates)
            {
                int distance = Distance(name, candidate);
                if (distance <= Math.Max(1, candidate.Length / 4))
                {
                    close.Add((candidate, distance));
                }
            }

            if (close.Count > 0)
            {
                int best = close.Min(static c => c.Distance);
                return close.Where(c => c.Distance == best).Select(static c => c.Candidate).Take(2).ToList();
            }

            // Three letters at least, so a short name like 'b' or 'x' is not "part of" every candidate.
            return name.Length < 3
                ? Array.Empty<string>()
                : candidates.Where(c => c.IndexOf(name, StringComparison.OrdinalIgnoreCase) >= 0 || name.IndexOf(c, StringComparison.OrdinalIgnoreCase) >= 0).Take(2).ToList();
        }

        /// <summary>
        /// The Levenshtein distance between two names, ignoring case (<c>KeyLengths</c> is 0 from <c>keyLengths</c>): the
        /// fewest insertions, deletions and substitutions, by the two-row dynamic programme.
        /// </summary>
        public static int Distance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int substitution = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                    current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + substitution);
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }
    }
}
