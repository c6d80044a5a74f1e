using System;

namespace KernelGen
{
    /// <summary>
    /// Binds a batched kernel's parameter as <c>ReadOnlySpan&lt;float&gt; alibiSlopes</c> under the name you choose: [H] or [B, H]: ALiBi slopes instead of the standard ones (the method needs [Alibi]).
    /// </summary>
    /// <remarks>
    /// <para>A parameter after <c>int batch</c> binds by its name (<c>alibiSlopes</c>), in any order, or by this attribute, which
    /// wins over the name; its type must be <c>ReadOnlySpan&lt;float&gt;</c> (KG0031 otherwise). docs/batched.md lists the parameters.</para>
    /// <para><c>[AlibiSlopes]</c> resolves to this attribute although the runtime has a static class <c>KernelGen.AlibiSlopes</c>:
    /// C# takes the one of <c>AlibiSlopes</c> and <c>AlibiSlopesAttribute</c> that is an attribute.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class AlibiSlopesAttribute : Attribute
    {
    }
}
