using System;

namespace KernelGen
{
    /// <summary>
    /// Binds a batched kernel's parameter as <c>Span&lt;float&gt; logSumExp</c> under the name you choose: [B, H, Nq] ([H, total] when packed), written: each row's log-sum-exp over its visible keys.
    /// </summary>
    /// <remarks>
    /// <para>A parameter after <c>int batch</c> binds by its name (<c>logSumExp</c>), in any order, or by this attribute, which
    /// wins over the name; its type must be <c>Span&lt;float&gt;</c> (KG0031 otherwise). docs/batched.md lists the parameters.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class LogSumExpAttribute : Attribute
    {
    }
}
