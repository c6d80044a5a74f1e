using System;

namespace KernelGen
{
    /// <summary>
    /// Sliding-window (local) mask, as in Longformer and Mistral: query i sees key j only when
    /// <c>p(i) - Left &lt;= j &lt;= p(i) + Right</c>, where <c>p(i) = i + Nk - Nq</c>.
    /// </summary>
    /// <remarks>
    /// <para><c>[SlidingWindow(1, 1)]</c> with Nq = Nk = 6 (<c>#</c> = allowed, <c>.</c> = masked):</para>
    /// <code>
    /// # # . . . .
    /// # # # . . .
    /// . # # # . .
    /// . . # # # .
    /// . . . # # #
    /// . . . . # #
    /// </code>
    /// <para>The sides follow FlashAttention's <c>window_size = (left, right)</c>. Combined with
    /// <see cref="CausalMaskAttribute"/> the right side is cut to 0. Each row visits at most Left + Right + 1 keys
    /// (plus global tokens), so the cost grows linearly with the sequence length.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class SlidingWindowAttribute : Attribute
    {
        /// <summary>A symmetric window: <paramref name="radius"/> keys on each side of the query's position.</summary>
        public SlidingWindowAttribute(int radius)
        {
            Left = radius;
            Right = radius;
        }

        /// <summary>A window of <paramref name="left"/> keys before and <paramref name="right"/> keys after the query's position.</summary>
        public SlidingWindowAttribute(int left, int right)
        {
            Left = left;
            Right = right;
        }

        /// <summary>How many keys before the query's position are visible (0 or more).</summary>
        public int Left { get; }

        /// <summary>How many keys after the query's position are visible (0 or more).</summary>
        public int Right { get; }
    }
}
