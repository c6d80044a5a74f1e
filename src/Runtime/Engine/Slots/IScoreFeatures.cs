using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// Which score modifiers a kernel declares, as JIT-time constants (generated per kernel, like <see cref="IAttentionMask"/>).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface IScoreFeatures
    {
        /// <summary>Whether the scale comes with each call (<see cref="ScoreState.Scale"/>); the path's ScoreScale is then 1.</summary>
        static abstract bool RuntimeScale { get; }

        /// <summary>The softcap (s = cap x tanh(s / cap)); 0 for none.</summary>
        static abstract float Softcap { get; }

        /// <summary>Whether ALiBi subtracts <see cref="ScoreState.AlibiSlope"/> x |p(i) - j|.</summary>
        static abstract bool Alibi { get; }

        /// <summary>Whether <see cref="ScoreState.Bias"/> is added to every score.</summary>
        static abstract bool Bias { get; }

        /// <summary>Whether each row's softmax denominator gains e^(<see cref="ScoreState.Sink"/>).</summary>
        static abstract bool Sinks { get; }
    }
}
