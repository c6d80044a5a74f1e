namespace KernelGen.Engine
{
    /// <summary>
    /// The compile-time mask rule, written once. This file is compiled into the runtime (the engine's row ranges, the
    /// reference's <c>IsAllowed</c>) and linked into the generator (netstandard2.0: the header pictures and work figures),
    /// so the kernels, the reference and the generated prose cannot disagree.
    /// </summary>
    /// <remarks>
    /// Query i sits at key position p = i + Nk - Nq (bottom-right alignment). With a causal mask the keys after p are
    /// hidden (visibleEnd = p + 1); a sliding window (left, right) keeps [p - left, p + right]; a global row (p is a
    /// global position) sees every visible key, and a global key is seen by every row it is visible to. Keys past Nk do
    /// not exist, global or not. Every bound is computed in 64-bit arithmetic, so no position or window overflows.
    /// </remarks>
    internal static class MaskGeometry
    {
        /// <summary>
        /// The contiguous keys [rangeStart, rangeEnd) that the query at <paramref name="position"/> sees, and the end of
        /// the keys it may see at all (<paramref name="visibleEnd"/>: global keys below it are visible too).
        /// 0 &lt;= rangeStart &lt;= rangeEnd &lt;= visibleEnd &lt;= keyCount.
        /// </summary>
        public static void RowRange(long position, int keyCount, bool causal, bool hasWindow, int windowLeft, int windowRight, bool globalRow,
            out int rangeStart, out int rangeEnd, out int visibleEnd)
        {
            visibleEnd = causal ? (int)Clamp(position + 1, 0, keyCount) : keyCount;
            if (!hasWindow || globalRow)
            {
                rangeStart = 0;
                rangeEnd = visibleEnd;
                return;
            }

            rangeStart = (int)Clamp(position - windowLeft, 0, visibleEnd);
            rangeEnd = (int)Clamp(position + windowRight + 1L, rangeStart, visibleEnd);
        }

        /// <summary>Whether the query at <paramref name="position"/> sees key <paramref name="key"/> of <paramref name="keyCount"/>.</summary>
        public static bool IsAllowed(long position, long key, int keyCount, bool causal, bool hasWindow, int windowLeft, int windowRight, bool rowIsGlobal, bool keyIsGlobal)
        {
            if (key < 0 || key >= keyCount)
            {
                return false; // no key there, global or not
            }

            RowRange(position, keyCount, causal, hasWindow, windowLeft, windowRight, rowIsGlobal, out int rangeStart, out int rangeEnd, out int visibleEnd);
            return (key >= rangeStart && key < rangeEnd) || (hasWindow && keyIsGlobal && key < visibleEnd);
        }

        private static long Clamp(long value, long min, long max) => value < min ? min : value > max ? max : value;
    }
}
