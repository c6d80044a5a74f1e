using System;

namespace KernelGen
{
    /// <summary>
    /// Binds a batched kernel's parameter as <c>ReadOnlySpan&lt;int&gt; keyLengths</c> under the name you choose: [B]: the valid keys of each item (keys past them are padding, never read).
    /// </summary>
    /// <remarks>
    /// <para>A parameter after <c>int batch</c> binds by its name (<c>keyLengths</c>), in any order, or by this attribute, which
    /// wins over the name; its type must be <c>ReadOnlySpan&lt;int&gt;</c> (KG0031 otherwise). docs/batched.md lists the parameters.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class KeyLengthsAttribute : Attribute
    {
    }
}
