using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// What is fixed for one batched kernel: its layout, head dimension and head counts, the run-time parameters it
    /// declares, and the caller's parameter names that exceptions report. A generated kernel keeps one in a static field,
    /// so a call allocates nothing.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class BatchedKernelInfo
    {
        /// <summary>Every run-time parameter.</summary>
        private const RuntimeParameter All = RuntimeParameter.KeyLengths | RuntimeParameter.QueryLengths | RuntimeParameter.KeyMask
            | RuntimeParameter.Mask | RuntimeParameter.LogSumExp | RuntimeParameter.SequenceStarts | RuntimeParameter.QuerySequenceStarts
            | RuntimeParameter.KeySequenceStarts | RuntimeParameter.Scale | RuntimeParameter.AlibiSlopes | RuntimeParameter.Bias | RuntimeParameter.Sinks;

        private readonly string _keyLengthsName = RuntimeParameterNames.KeyLengths;
        private readonly string _queryLengthsName = RuntimeParameterNames.QueryLengths;
        private readonly string _sequenceStartsName = RuntimeParameterNames.SequenceStarts;
        private readonly string _logSumExpName = RuntimeParameterNames.LogSumExp;
        private readonly string _keyMaskName = RuntimeParameterNames.KeyMask;
        private readonly string _maskName = RuntimeParameterNames.Mask;
        private readonly string _querySequenceStartsName = RuntimeParameterNames.QuerySequenceStarts;
        private readonly string _keySequenceStartsName = RuntimeParameterNames.KeySequenceStarts;
        private readonly string _scaleName = RuntimeParameterNames.Scale;
        private readonly string _alibiSlopesName = RuntimeParameterNames.AlibiSlopes;
        private readonly string _biasName = RuntimeParameterNames.Bias;
        private readonly string _sinksName = RuntimeParameterNames.Sinks;
        private readonly bool _alibi;
        private readonly float[] _standardSlopes = Array.Empty<float>();

        /// <summary>
        /// A kernel's fixed part. The run-time parameter names default to the run-time parameters' own names
        /// (e.g. "keyLengths"); set the ones the method declares with the initialisers.
        /// </summary>
        public BatchedKernelInfo(
            AttentionLayout layout,
            int headDimension,
            int heads,
            int keyValueHeads,
            RuntimeParameter parameters,
            string queryName,
            string keyName,
            string valueName,
            string outputName,
            string batchName)
        {
            if ((parameters & ~All) != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(parameters), parameters, "Not a combination of RuntimeParameter values.");
            }

            Layout = layout;
            HeadDimension = headDimension;
            Heads = heads;
            KeyValueHeads = keyValueHeads;
            Parameters = parameters;
            QueryName = queryName ?? throw new ArgumentNullException(nameof(queryName));
            KeyName = keyName ?? throw new ArgumentNullException(nameof(keyName));
            ValueName = valueName ?? throw new ArgumentNullException(nameof(valueName));
            OutputName = outputName ?? throw new ArgumentNullException(nameof(outputName));
            BatchName = batchName ?? throw new ArgumentNullException(nameof(batchName));
        }

        /// <summary>How the spans are laid out.</summary>
        public AttentionLayout Layout { get; }

        /// <summary>d, floats per row.</summary>
        public int HeadDimension { get; }

        /// <summary>H, the query (and output) heads.</summary>
        public int Heads { get; }

        /// <summary>The key and value heads; query head h reads key/value head h / (Heads / KeyValueHeads).</summary>
        public int KeyValueHeads { get; }

        /// <summary>The run-time parameters the kernel declares; the others must be empty in a call.</summary>
        public RuntimeParameter Parameters { get; }

        /// <summary>The query span's name in exceptions.</summary>
        public string QueryName { get; }

        /// <summary>The key span's name in exceptions.</summary>
        public string KeyName { get; }

        /// <summary>The value span's name in exceptions.</summary>
        public string ValueName { get; }

        /// <summary>The output span's name in exceptions.</summary>
        public string OutputName { get; }

        /// <summary>The batch count's name in exceptions.</summary>
        public string BatchName { get; }

        /// <summary>The key lengths' name in exceptions; "keyLengths" unless set.</summary>
        public string KeyLengthsName { get => _keyLengthsName; init => _keyLengthsName = value ?? throw new ArgumentNullException(nameof(KeyLengthsName)); }

        /// <summary>The query lengths' name in exceptions; "queryLengths" unless set.</summary>
        public string QueryLengthsName { get => _queryLengthsName; init => _queryLengthsName = value ?? throw new ArgumentNullException(nameof(QueryLengthsName)); }

        /// <summary>The sequence starts' name in exceptions; "sequenceStarts" unless set.</summary>
        public string SequenceStartsName { get => _sequenceStartsName; init => _sequenceStartsName = value ?? throw new ArgumentNullException(nameof(SequenceStartsName)); }

        /// <summary>The log-sum-exp buffer's name in exceptions; "logSumExp" unless set.</summary>
        public string LogSumExpName { get => _logSumExpName; init => _logSumExpName = value ?? throw new ArgumentNullException(nameof(LogSumExpName)); }

        /// <summary>The key mask's name in exceptions; "keyMask" unless set.</summary>
        public string KeyMaskName { get => _keyMaskName; init => _keyMaskName = value ?? throw new ArgumentNullException(nameof(KeyMaskName)); }

        /// <summary>The mask's name in exceptions; "mask" unless set.</summary>
        public string MaskName { get => _maskName; init => _maskName = value ?? throw new ArgumentNullException(nameof(MaskName)); }

        /// <summary>The query sequence starts' name in exceptions; "querySequenceStarts" unless set.</summary>
        public string QuerySequenceStartsName { get => _querySequenceStartsName; init => _querySequenceStartsName = value ?? throw new ArgumentNullException(nameof(QuerySequenceStartsName)); }

        /// <summary>The key sequence starts' name in exceptions; "keySequenceStarts" unless set.</summary>
        public string KeySequenceStartsName { get => _keySequenceStartsName; init => _keySequenceStartsName = value ?? throw new ArgumentNullException(nameof(KeySequenceStartsName)); }

        /// <summary>The run-time scale's name in exceptions; "scale" unless set.</summary>
        public string ScaleName { get => _scaleName; init => _scaleName = value ?? throw new ArgumentNullException(nameof(ScaleName)); }

        /// <summary>The ALiBi slopes' name in exceptions; "alibiSlopes" unless set.</summary>
        public string AlibiSlopesName { get => _alibiSlopesName; init => _alibiSlopesName = value ?? throw new ArgumentNullException(nameof(AlibiSlopesName)); }

        /// <summary>The bias's name in exceptions; "bias" unless set.</summary>
        public string BiasName { get => _biasName; init => _biasName = value ?? throw new ArgumentNullException(nameof(BiasName)); }

        /// <summary>The sinks' name in exceptions; "sinks" unless set.</summary>
        public string SinksName { get => _sinksName; init => _sinksName = value ?? throw new ArgumentNullException(nameof(SinksName)); }

        /// <summary>
        /// Whether the kernel has [Alibi]: each query head h then subtracts slope_h x |p(i) - j|, with
        /// <see cref="StandardSlopes"/> unless the call passes alibiSlopes.
        /// </summary>
        public bool Alibi
        {
            get => _alibi;
            init
            {
                _alibi = value;
                _standardSlopes = value ? AlibiSlopes.Standard(Heads) : Array.Empty<float>();
            }
        }

        /// <summary>The standard ALiBi slopes of <see cref="Heads"/> heads (computed once), or empty without [Alibi].</summary>
        public ReadOnlySpan<float> StandardSlopes => _standardSlopes;

        /// <summary>Whether the items are packed ([total, H, d]): the kernel declares sequenceStarts or querySequenceStarts and keySequenceStarts.</summary>
        public bool Packed => Declares(RuntimeParameter.SequenceStarts) || Declares(RuntimeParameter.QuerySequenceStarts);

        /// <summary>Whether the kernel declares every parameter in <paramref name="parameter"/>.</summary>
        public bool Declares(RuntimeParameter parameter) => (Parameters & parameter) == parameter;
    }
}
