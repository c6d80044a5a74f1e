namespace KernelGen.Generator.Model
{
    /// <summary>
    /// A kernel's score modifiers, in the order of the score formula softcap(scale x dot) - slope x |p(i) - j| + bias, and
    /// the softmax sink: a scale given per call (the <c>scale</c> parameter), the cap of [Softcap] (0 for none), [Alibi],
    /// and the declared <c>bias</c> and <c>sinks</c> parameters.
    /// </summary>
    internal sealed record ScoreSpec(bool RuntimeScale, float Softcap, bool Alibi, bool Bias, bool Sinks)
    {
        /// <summary>Whether a score is changed at all (sinks alone leave every score as it is).</summary>
        public bool ChangesScores => RuntimeScale || Softcap != 0f || Alibi || Bias;
    }
}
