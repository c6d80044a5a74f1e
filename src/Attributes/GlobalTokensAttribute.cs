using System;

namespace KernelGen
{
    /// <summary>
    /// Global tokens (Longformer) or attention sinks (StreamingLLM): key positions that every query sees and
    /// query positions that see every key, on top of a <see cref="SlidingWindowAttribute"/>.
    /// </summary>
    /// <remarks>
    /// <para><c>[SlidingWindow(1, 1)]</c> with <c>[GlobalTokens(0)]</c>, Nq = Nk = 6 (<c>#</c> = allowed, <c>.</c> = masked):</para>
    /// <code>
    /// # # # # # #
    /// # # # . . .
    /// # # # # . .
    /// # . # # # .
    /// # . . # # #
    /// # . . . # #
    /// </code>
    /// <para>Positions are key positions: query i is global when <c>p(i) = i + Nk - Nq</c> is listed. Positions at or past
    /// Nk match nothing. A causal mask still applies to global tokens. Without a sliding window every key is already
    /// visible, so the attribute has no effect (KernelGen warns, KG0009).</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class GlobalTokensAttribute : Attribute
    {
        /// <summary>Declares the global positions (each 0 or more, no duplicates; any order).</summary>
        public GlobalTokensAttribute(params int[] positions)
        {
            Positions = positions ?? Array.Empty<int>();
        }

        /// <summary>The global positions, as declared.</summary>
        public int[] Positions { get; }
    }
}
