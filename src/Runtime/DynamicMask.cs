using System;

namespace KernelGen
{
    /// <summary>
    /// The run-time masks of a batched kernel (<c>keyMask</c>: false drops a key for the call; <c>mask</c>: false hides
    /// key j from query row i), applied to blocks of scores by the generated row loop. Either span may be empty (absent).
    /// </summary>
    public static class DynamicMask
    {
        /// <summary>Whether every key in [first, first + count) is dropped by <paramref name="keyMask"/> (false when it is absent).</summary>
        public static bool AllDropped(ReadOnlySpan<bool> keyMask, int first, int count) =>
            !keyMask.IsEmpty && !keyMask.Slice(first, count).ContainsAnyExcept(false);

        /// <summary>Whether key <paramref name="key"/> is kept by both masks (an absent mask keeps everything).</summary>
        public static bool Keeps(ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, int key) =>
            (keyMask.IsEmpty || keyMask[key]) && (rowMask.IsEmpty || rowMask[key]);

        /// <summary>
        /// scores[t] = -inf for every key <paramref name="first"/> + t that either mask hides; returns whether any lane was
        /// hidden (the caller then guards its value accumulation against 0 x inf).
        /// </summary>
        public static bool Apply(Span<float> scores, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, int first)
        {
            bool keyHidden = !keyMask.IsEmpty && Hide(scores, keyMask.Slice(first, scores.Length));
            bool rowHidden = !rowMask.IsEmpty && Hide(scores, rowMask.Slice(first, scores.Length));
            return keyHidden | rowHidden;
        }

        /// <summary>scores[t] = -inf where keep[t] is false; whether any was.</summary>
        private static bool Hide(Span<float> scores, ReadOnlySpan<bool> keep)
        {
            bool any = false;
            for (int t = 0; t < scores.Length; t++)
            {
                if (!keep[t])
                {
                    scores[t] = float.NegativeInfinity;
                    any = true;
                }
            }

            return any;
        }
    }
}
