using System;

namespace KernelGen
{
    /// <summary>
    /// Logit softcapping (Gemma 2, Grok): every scaled score s becomes <c>cap * tanh(s / cap)</c> before the mask and the
    /// softmax, so no score leaves (-cap, cap). FlashAttention's <c>softcap</c> and ggml's <c>logit_softcap</c>.
    /// </summary>
    /// <remarks>
    /// <para>The cap must be finite and greater than 0 (KG0022 otherwise). Scores well inside the cap are almost
    /// unchanged (<c>cap tanh(s / cap) ~ s - s^3 / (3 cap^2)</c>); large ones flatten towards +-cap. Gemma 2 caps its
    /// attention logits at 50. The run-time <c>scale</c> parameter, when declared, applies before the cap.</para>
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class SoftcapAttribute : Attribute
    {
        /// <summary>Caps scores at +-<paramref name="cap"/>: <c>s = cap * tanh(s / cap)</c>.</summary>
        public SoftcapAttribute(float cap)
        {
            Cap = cap;
        }

        /// <summary>The cap: scores stay inside (-Cap, Cap).</summary>
        public float Cap { get; }
    }
}
