using System;

namespace KernelGen
{
    /// <summary>
    /// The run-time score inputs of one head of one call: the score scale (when given per call), the head's ALiBi slope,
    /// its additive bias rows and its sink logit. Which of them count is fixed by the kernel (its attributes and declared
    /// parameters); the rest are ignored. <see cref="ReferenceAttention"/> takes the same inputs.
    /// </summary>
    /// <remarks>
    /// The score of query row i and key j is <c>softcap(scale x dot(q_i, k_j)) - slope x |p(i) - j| + bias[i x BiasStride + j]</c>
    /// with <c>p(i) = i + Nk - Nq</c>; with a sink the row's softmax denominator gains <c>e^sink</c>.
    /// </remarks>
    public readonly ref struct ScoreArguments
    {
        /// <summary>
        /// The score scale for this call, used only by kernels with a run-time scale (which require it finite and greater
        /// than 0); the reference takes 0 as "the spec's scale".
        /// </summary>
        public float Scale { get; init; }

        /// <summary>The head's ALiBi slope (used by kernels with [Alibi]).</summary>
        public float AlibiSlope { get; init; }

        /// <summary>The additive bias, row i at i x <see cref="BiasStride"/>, one float per key; empty for none.</summary>
        public ReadOnlySpan<float> Bias { get; init; }

        /// <summary>The distance between two query rows of <see cref="Bias"/>.</summary>
        public int BiasStride { get; init; }

        /// <summary>Whether the row's softmax has a sink (<see cref="Sink"/> joins every denominator).</summary>
        public bool HasSink { get; init; }

        /// <summary>The head's sink logit: o_i = sum_j e^(s_ij) v_j / (sum_j e^(s_ij) + e^sink).</summary>
        public float Sink { get; init; }
    }
}
