using System;

namespace KernelGen
{
    /// <summary>
    /// Binds a batched kernel's parameter as <c>float scale</c> under the name you choose: the score scale for this call, instead of the compile-time one (finite, &gt; 0).
    /// </summary>
    /// <remarks>
    /// <para>A parameter after <c>int batch</c> binds by its name (<c>scale</c>), in any order, or by this attribute, which
    /// wins over the name; its type must be <c>float</c> (KG0031 otherwise). docs/batched.md lists the parameters.</para>
    /// <para>Named RuntimeScale rather than Scale, which is <see cref="AttentionKernelAttribute.Scale"/>'s compile-time
    /// scale. A single-head kernel's fifth parameter may carry it as well.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class RuntimeScaleAttribute : Attribute
    {
    }
}
