using System;

namespace KernelGen
{
    /// <summary>
    /// Causal (look-ahead) mask: query i sees key j only when <c>j &lt;= p(i)</c>, where <c>p(i) = i + Nk - Nq</c>.
    /// </summary>
    /// <remarks>
    /// <para>With Nq = Nk = 6 (<c>#</c> = allowed, <c>.</c> = masked; rows are queries, columns keys):</para>
    /// <code>
    /// # . . . . .
    /// # # . . . .
    /// # # # . . .
    /// # # # # . .
    /// # # # # # .
    /// # # # # # #
    /// </code>
    /// <para>When Nq &lt; Nk the triangle is aligned to the bottom right, so the last query sees every key
    /// (a decode step with Nq = 1 sees the whole cache). When Nq &gt; Nk the first Nq - Nk rows see no key and are zeros.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class CausalMaskAttribute : Attribute
    {
    }
}
