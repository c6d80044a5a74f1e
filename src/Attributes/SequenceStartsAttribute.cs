using System;

namespace KernelGen
{
    /// <summary>
    /// Binds a batched kernel's parameter as <c>ReadOnlySpan&lt;int&gt; sequenceStarts</c> under the name you choose: [B + 1]: item b is rows [b] .. [b + 1] of packed [total, H, d] spans.
    /// </summary>
    /// <remarks>
    /// <para>A parameter after <c>int batch</c> binds by its name (<c>sequenceStarts</c>), in any order, or by this attribute, which
    /// wins over the name; its type must be <c>ReadOnlySpan&lt;int&gt;</c> (KG0031 otherwise). docs/batched.md lists the parameters.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class SequenceStartsAttribute : Attribute
    {
    }
}
