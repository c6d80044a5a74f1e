using System;

namespace KernelGen
{
    /// <summary>
    /// Binds a batched kernel's parameter as <c>ReadOnlySpan&lt;float&gt; bias</c> under the name you choose: [Nq, Nk], [B, Nq, Nk] or [B, H, Nq, Nk]: added to every score (-inf hides a key).
    /// </summary>
    /// <remarks>
    /// <para>A parameter after <c>int batch</c> binds by its name (<c>bias</c>), in any order, or by this attribute, which
    /// wins over the name; its type must be <c>ReadOnlySpan&lt;float&gt;</c> (KG0031 otherwise). docs/batched.md lists the parameters.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class BiasAttribute : Attribute
    {
    }
}
