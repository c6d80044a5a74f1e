using System;

namespace KernelGen.Engine
{
    /// <summary>
    /// The one place a batched call's aliases are refused: each span the call writes (output, log-sum-exp) against every
    /// other span it takes, whatever their element types, before anything is read or written.
    /// </summary>
    internal static class BatchedAliasing
    {
        /// <summary>
        /// Throws <see cref="ArgumentException"/> naming both parameters (the written one as the parameter name) when output
        /// or log-sum-exp shares a byte with an input, a length or offset span, a mask, a score input, or each other. The
        /// inputs may overlap each other freely (self-attention often passes one buffer as query, key and value).
        /// </summary>
        public static void Refuse<TQuery, TKeyValue, TOutput>(BatchedKernelInfo info, in BatchedArguments<TQuery, TKeyValue, TOutput> arguments)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            ReadOnlySpan<TOutput> output = arguments.Output;
            ReadOnlySpan<float> logSumExp = arguments.LogSumExp;
            RefuseAgainstReads(output, info.OutputName, info, arguments);
            RefuseAgainstReads(logSumExp, info.LogSumExpName, info, arguments);
            AttentionGuard.RefuseOverlap(logSumExp, info.LogSumExpName, output, info.OutputName);
        }

        /// <summary><paramref name="written"/> against every span the call only reads.</summary>
        private static void RefuseAgainstReads<TWritten, TQuery, TKeyValue, TOutput>(ReadOnlySpan<TWritten> written, string name, BatchedKernelInfo info,
            in BatchedArguments<TQuery, TKeyValue, TOutput> arguments)
            where TWritten : unmanaged
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            if (written.IsEmpty)
            {
                return;
            }

            AttentionGuard.RefuseOverlap(written, name, arguments.Query, info.QueryName);
            AttentionGuard.RefuseOverlap(written, name, arguments.Key, info.KeyName);
            AttentionGuard.RefuseOverlap(written, name, arguments.Value, info.ValueName);
            AttentionGuard.RefuseOverlap(written, name, arguments.KeyLengths, info.KeyLengthsName);
            AttentionGuard.RefuseOverlap(written, name, arguments.QueryLengths, info.QueryLengthsName);
            AttentionGuard.RefuseOverlap(written, name, arguments.SequenceStarts, info.SequenceStartsName);
            AttentionGuard.RefuseOverlap(written, name, arguments.QuerySequenceStarts, info.QuerySequenceStartsName);
            AttentionGuard.RefuseOverlap(written, name, arguments.KeySequenceStarts, info.KeySequenceStartsName);
            AttentionGuard.RefuseOverlap(written, name, arguments.KeyMask, info.KeyMaskName);
            AttentionGuard.RefuseOverlap(written, name, arguments.Mask, info.MaskName);
            AttentionGuard.RefuseOverlap(written, name, arguments.AlibiSlopes, info.AlibiSlopesName);
            AttentionGuard.RefuseOverlap(written, name, arguments.Bias, info.BiasName);
            AttentionGuard.RefuseOverlap(written, name, arguments.Sinks, info.SinksName);
        }
    }
}
