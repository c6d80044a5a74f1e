using System;

namespace KernelGen
{
    /// <summary>
    /// ALiBi (attention with linear biases; BLOOM, MPT): query head h subtracts <c>slope_h x |p(i) - j|</c> from the score
    /// of key j, so attention decays with distance. FlashAttention's <c>alibi_slopes</c> and ggml's <c>max_bias</c>.
    /// </summary>
    /// <remarks>
    /// <para>Needs a batched kernel with <c>Heads</c> named in [AttentionKernel] (KG0023 otherwise). The standard
    /// slopes are the float32 roundings of <c>2^(-8(h+1)/H)</c> for h = 0 .. H-1 when H is a power of two; otherwise, with n
    /// the largest power of two below H, the n slopes <c>2^(-8(h+1)/n)</c> followed by <c>2^(-4(2k+1)/n)</c> for
    /// k = 0 .. H-n-1 (the ALiBi paper's code and BLOOM). A kernel that declares
    /// <c>ReadOnlySpan&lt;float&gt; alibiSlopes</c> ([H] or [B, H]) takes its slopes per call instead.</para>
    /// <para>The term is FlashAttention's symmetric one, <c>-slope x |p(i) - j|</c>: under a causal mask a row's scores
    /// differ from BLOOM's <c>slope x j</c> form by a constant, so the output is the same.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class AlibiAttribute : Attribute
    {
    }
}
