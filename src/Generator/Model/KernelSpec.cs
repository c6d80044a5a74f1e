using KernelGen.Engine;

namespace KernelGen.Generator.Model
{
    /// <summary>
    /// Everything the user asked for on one kernel method, as plain values: where the method lives, how it is declared,
    /// its head dimension, scale and mask. Equal specs produce equal source.
    /// </summary>
    /// <param name="Namespace">The containing namespace, or empty for the global namespace.</param>
    /// <param name="ContainingTypes">The containing types, outermost first.</param>
    /// <param name="MethodName">The method's name (escaped if it is a keyword).</param>
    /// <param name="Modifiers">The method's modifiers except <c>partial</c>, in source order (e.g. "public static").</param>
    /// <param name="ParameterNames">The four parameter names, escaped: query, key, value, output.</param>
    /// <param name="IsExtension">Whether the first parameter carries <c>this</c> (an extension method).</param>
    /// <param name="HeadDimension">d, 1 to 512.</param>
    /// <param name="Scale">The effective score scale.</param>
    /// <param name="ScaleIsDefault">Whether <see cref="Scale"/> is the default 1/sqrt(d).</param>
    /// <param name="Mask">The static mask.</param>
    /// <param name="UserDocumentation">The declaration's own doc comment lines (<c>/// ...</c>, trimmed), carried over
    /// because the implementing part's comment is the one the compiler keeps.</param>
    /// <param name="Batch">The batched multi-head form (heads, layout, run-time parameters), or null for a single-head kernel.</param>
    /// <param name="TensorForm">Whether a batched kernel also gets an overload taking System.Numerics.Tensors tensors (the
    /// compilation references that package).</param>
    /// <param name="Score">The score modifiers ([Softcap], [Alibi], a run-time scale, bias or sinks); null for none.</param>
    /// <param name="QueryElement">The query span's element type as generated code spells it: float, global::System.Half or global::KernelGen.BFloat16.</param>
    /// <param name="KeyValueElement">The key and value spans' element type.</param>
    /// <param name="OutputElement">The output span's element type.</param>
    /// <param name="TensorModifiers">The tensor form's modifiers (accessibility, static, readonly, and new when it hides an
    /// inherited tensor form); never override, virtual, sealed or abstract, which belong to the span method alone.</param>
    internal sealed record KernelSpec(
        string Namespace,
        EquatableArray<ContainingTypeSpec> ContainingTypes,
        string MethodName,
        string Modifiers,
        EquatableArray<string> ParameterNames,
        bool IsExtension,
        int HeadDimension,
        float Scale,
        bool ScaleIsDefault,
        MaskSpec Mask,
        EquatableArray<string> UserDocumentation,
        BatchSpec? Batch = null,
        bool TensorForm = false,
        ScoreSpec? Score = null,
        string QueryElement = "float",
        string KeyValueElement = "float",
        string OutputElement = "float",
        string TensorModifiers = "")
    {
        /// <summary>Whether every span is float (else the engine's element-generic entry converts at the boundary).</summary>
        public bool AllFloat => QueryElement == "float" && KeyValueElement == "float" && OutputElement == "float";

        /// <summary>The fully qualified display name, e.g. <c>MyApp.Kernels.Longformer64</c>.</summary>
        public string DisplayName
        {
            get
            {
                var builder = new System.Text.StringBuilder();
                if (Namespace.Length > 0)
                {
                    builder.Append(Namespace).Append('.');
                }

                foreach (ContainingTypeSpec type in ContainingTypes)
                {
                    builder.Append(type.Name).Append(type.TypeParameters).Append('.');
                }

                return builder.Append(MethodName).ToString();
            }
        }
    }

    /// <summary>
    /// A containing type declaration: the modifiers every partial part must repeat (<c>ref</c>), its keyword(s), name,
    /// type-parameter list, and arity, e.g. ("ref", "struct", "Outer", "&lt;T&gt;", 1).
    /// </summary>
    internal sealed record ContainingTypeSpec(string Modifiers, string Keyword, string Name, string TypeParameters, int Arity);

    /// <summary>
    /// The static mask of a kernel. <see cref="GlobalPositions"/> is sorted and unique and only kept when a window exists
    /// (without one, every key is visible anyway).
    /// </summary>
    internal sealed record MaskSpec(bool Causal, bool HasWindow, int WindowLeft, int WindowRight, EquatableArray<int> GlobalPositions)
    {
        public bool HasGlobals => HasWindow && !GlobalPositions.IsEmpty;

        public bool MasksNothing => !Causal && !HasWindow;
    }

    /// <summary>
    /// A batched multi-head kernel: H query heads, the key/value heads they share, the span layout (0 = [B, N, H, d],
    /// 1 = [B, H, N, d]), and the run-time parameters after <c>int batch</c>, in declaration order (e.g. "keyLengths").
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

    /// <summary>What parsing one method produced: a spec (null when invalid) and the diagnostics to report.</summary>
    internal sealed record ParseResult(KernelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
}
