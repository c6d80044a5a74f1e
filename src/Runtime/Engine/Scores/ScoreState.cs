using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// The run-time score inputs of one head as the engine's loops carry them (see <see cref="ScoreArguments"/>): plain
    /// values and the bias rows' address, so a job handed to worker threads can hold it. Valid only while the call that
    /// made it runs (the engine pins the bias for that long).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly unsafe struct ScoreState
    {
        private readonly float* _bias;
        private readonly int _biasLength;

        /// <summary>The state of one call; <paramref name="bias"/> must stay pinned while it is used.</summary>
        public ScoreState(float scale, float alibiSlope, float sink, float* bias, int biasLength, int biasStride)
        {
            Scale = scale;
            AlibiSlope = alibiSlope;
            Sink = sink;
            _bias = bias;
            _biasLength = biasLength;
            BiasStride = biasStride;
        }

        /// <summary>The score scale given for this call (kernels with a run-time scale).</summary>
        public float Scale { get; }

        /// <summary>The head's ALiBi slope.</summary>
        public float AlibiSlope { get; }

        /// <summary>The head's sink logit.</summary>
        public float Sink { get; }

        /// <summary>The distance between two query rows of <see cref="Bias"/>.</summary>
        public int BiasStride { get; }

        /// <summary>The bias rows ([Nq, BiasStride] from the head's first row); empty without a bias.</summary>
        public ReadOnlySpan<float> Bias => new(_bias, _biasLength);
    }
}
