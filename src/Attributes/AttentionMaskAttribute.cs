using System;

namespace KernelGen
{
    /// <summary>
    /// Binds a batched kernel's parameter as <c>ReadOnlySpan&lt;bool&gt; mask</c> under the name you choose: [B, Nq, Nk] or [Nq, Nk]: false hides key j from query i (a boolean attention mask).
    /// </summary>
    /// <remarks>
    /// <para>A parameter after <c>int batch</c> binds by its name (<c>mask</c>), in any order, or by this attribute, which
    /// wins over the name; its type must be <c>ReadOnlySpan&lt;bool&gt;</c> (KG0031 otherwise). docs/batched.md lists the parameters.</para>
    /// <para>Named AttentionMask rather than Mask: a bare <c>[Mask]</c> would read as any of the mask attributes
    /// (<see cref="CausalMaskAttribute"/>, <see cref="SlidingWindowAttribute"/>) and the key mask.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class AttentionMaskAttribute : Attribute
    {
    }
}
