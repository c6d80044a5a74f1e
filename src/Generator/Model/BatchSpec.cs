using KernelGen.Engine;

namespace KernelGen.Generator.Model
{
    /// <summary>
    /// A batched multi-head kernel: H query heads, the key/value heads they share, the span layout (0 = [B, N, H, d],
    /// 1 = [B, H, N, d]), and the run-time parameters after <c>int batch</c>: the table names they bind (e.g. "keyLengths"),
    /// in declaration order, so entry i is the user's parameter <c>KernelSpec.ParameterNames[5 + i]</c> whatever its name.
    /// </summary>
    internal sealed record BatchSpec(int Heads, int KeyValueHeads, int Layout, EquatableArray<string> RuntimeParameters)
    {
        public bool Has(string parameter)
        {
            foreach (string present in RuntimeParameters)
            {
                if (present == parameter)
                {
                    return true;
                }
            }

            return false;
        }

        public string LayoutName => Layout == 1 ? "BatchHeadSeqDim" : "BatchSeqHeadDim";

        /// <summary>Whether the items are packed back to back ([total, H, d], with sequenceStarts, or querySequenceStarts and keySequenceStarts).</summary>
        public bool IsPacked => Has(RuntimeParameterNames.SequenceStarts) || Has(RuntimeParameterNames.QuerySequenceStarts);

        /// <summary>The span whose length is B + 1 in a packed call: sequenceStarts or querySequenceStarts.</summary>
        public string PackedStarts => Has(RuntimeParameterNames.SequenceStarts) ? RuntimeParameterNames.SequenceStarts : RuntimeParameterNames.QuerySequenceStarts;

        /// <summary>Whether the kernel takes a run-time token or dense mask (rows then run one at a time, masked per block).</summary>
        public bool HasDynamicMask => Has(RuntimeParameterNames.KeyMask) || Has(RuntimeParameterNames.Mask);
    }
}
