using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// The spans of one batched call, as the generated method builds them: the four data spans and the batch count, and
    /// the run-time spans the kernel declares (the others stay empty). Checked by
    /// <see cref="BatchedAttention.Validate{TQuery, TKeyValue, TOutput}"/> against the kernel's
    /// <see cref="BatchedKernelInfo"/>, then computed by <see cref="BatchedAttention.Run{TPath, TMask, TScore, TQuery, TKeyValue, TOutput}"/>.
    /// The query, keys and values, and output may each hold float, <see cref="Half"/> or <see cref="BFloat16"/> (keys and
    /// values of one type); everything else is float or int.
    /// </summary>
    /// <typeparam name="TQuery">The query's element type.</typeparam>
    /// <typeparam name="TKeyValue">The keys' and values' element type.</typeparam>
    /// <typeparam name="TOutput">The output's element type.</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly ref struct BatchedArguments<TQuery, TKeyValue, TOutput>
        where TQuery : unmanaged
        where TKeyValue : unmanaged
        where TOutput : unmanaged
    {
        /// <summary>The data spans and the batch count of a call; set the declared run-time spans with the initialisers.</summary>
        public BatchedArguments(ReadOnlySpan<TQuery> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value, Span<TOutput> output, int batch)
        {
            Query = query;
            Key = key;
            Value = value;
            Output = output;
            Batch = batch;
        }

        /// <summary>The queries, in the kernel's layout.</summary>
        public ReadOnlySpan<TQuery> Query { get; }

        /// <summary>The keys, in the kernel's layout.</summary>
        public ReadOnlySpan<TKeyValue> Key { get; }

        /// <summary>The values, shaped as the keys.</summary>
        public ReadOnlySpan<TKeyValue> Value { get; }

        /// <summary>The output, shaped as the queries; must not overlap an input.</summary>
        public Span<TOutput> Output { get; }

        /// <summary>B, the batch items.</summary>
        public int Batch { get; }

        /// <summary>The valid keys of each item ([B]); empty when the kernel declares none.</summary>
        public ReadOnlySpan<int> KeyLengths { get; init; }

        /// <summary>The valid queries of each item ([B]); empty when the kernel declares none.</summary>
        public ReadOnlySpan<int> QueryLengths { get; init; }

        /// <summary>The packed items' row offsets ([B + 1]); empty when the kernel declares none.</summary>
        public ReadOnlySpan<int> SequenceStarts { get; init; }

        /// <summary>The log-sum-exp of each query row and head, written by the call; empty when the kernel declares none.</summary>
        public Span<float> LogSumExp { get; init; }

        /// <summary>The key flags ([B, Nk], false = dropped); empty when the kernel declares none.</summary>
        public ReadOnlySpan<bool> KeyMask { get; init; }

        /// <summary>The (query, key) flags ([B, Nq, Nk] or [Nq, Nk], false = dropped); empty when the kernel declares none.</summary>
        public ReadOnlySpan<bool> Mask { get; init; }

        /// <summary>The packed items' query row offsets ([B + 1]), with <see cref="KeySequenceStarts"/>; empty when the kernel declares none.</summary>
        public ReadOnlySpan<int> QuerySequenceStarts { get; init; }

        /// <summary>The packed items' key row offsets ([B + 1]), with <see cref="QuerySequenceStarts"/>; empty when the kernel declares none.</summary>
        public ReadOnlySpan<int> KeySequenceStarts { get; init; }

        /// <summary>The score scale of this call (finite, &gt; 0); 0 when the kernel declares none.</summary>
        public float Scale { get; init; }

        /// <summary>The ALiBi slopes ([H] or [B, H]); empty for the standard ones or when the kernel declares none.</summary>
        public ReadOnlySpan<float> AlibiSlopes { get; init; }

        /// <summary>The additive score bias ([Nq, Nk], [B, Nq, Nk] or [B, H, Nq, Nk]); empty when the kernel declares none.</summary>
        public ReadOnlySpan<float> Bias { get; init; }

        /// <summary>Each query head's sink logit ([H]); empty when the kernel declares none.</summary>
        public ReadOnlySpan<float> Sinks { get; init; }
    }
}
