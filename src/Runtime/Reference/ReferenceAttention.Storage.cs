using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace KernelGen
{
    // 16-bit inputs: the reference widens each value exactly (every Half and BFloat16 is a float) and runs the float
    // definition, so a kernel with f16 or bf16 spans is checked without widening by hand.
    public static partial class ReferenceAttention
    {
        private const string Overloads = "The element-generic overloads differ from the float ones in their span types only; the float ones win every float call.";

        /// <summary>
        /// <see cref="Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double})"/> for
        /// spans of float, <see cref="Half"/> or <see cref="BFloat16"/> (query of one type, key and value of one type, as in a
        /// kernel): every value is widened exactly to float, then the float definition applies.
        /// </summary>
        /// <exception cref="NotSupportedException">An element type is not float, Half or BFloat16.</exception>
        public static void Compute<TQuery, TKeyValue>(AttentionSpec spec, ReadOnlySpan<TQuery> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value, Span<double> output)
            where TQuery : unmanaged
            where TKeyValue : unmanaged =>
            Compute(spec, query, key, value, output, Span<double>.Empty, default);

        /// <summary>
        /// <see cref="Compute(AttentionSpec, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, Span{double}, ScoreArguments)"/>
        /// for spans of float, <see cref="Half"/> or <see cref="BFloat16"/>, each value widened exactly to float.
        /// </summary>
        /// <exception cref="NotSupportedException">An element type is not float, Half or BFloat16.</exception>
        public static void Compute<TQuery, TKeyValue>(AttentionSpec spec, ReadOnlySpan<TQuery> query, ReadOnlySpan<TKeyValue> key, ReadOnlySpan<TKeyValue> value, Span<double> output,
            Span<double> logSumExp, ScoreArguments scores)
            where TQuery : unmanaged
            where TKeyValue : unmanaged =>
            Compute(spec, Widen(query, nameof(query)), Widen(key, nameof(key)), Widen(value, nameof(value)), output, logSumExp, scores);

        /// <summary>
        /// <see cref="ComputeBatched(AttentionSpec, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{int}, Span{double}, ReadOnlySpan{bool}, ReadOnlySpan{bool}, ReadOnlySpan{int}, ReadOnlySpan{int}, float, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>
        /// (heads and layout from the spec) for spans of float, <see cref="Half"/> or <see cref="BFloat16"/>, each value
        /// widened exactly to float.
        /// </summary>
        /// <exception cref="NotSupportedException">An element type is not float, Half or BFloat16.</exception>
        [SuppressMessage("ApiDesign", "RS0026", Justification = Overloads)]
        public static void ComputeBatched<TQuery, TKeyValue>(
            AttentionSpec spec,
            int batch,
            ReadOnlySpan<TQuery> query,
            ReadOnlySpan<TKeyValue> key,
            ReadOnlySpan<TKeyValue> value,
            Span<double> output,
            ReadOnlySpan<int> keyLengths = default,
            ReadOnlySpan<int> queryLengths = default,
            ReadOnlySpan<int> sequenceStarts = default,
            Span<double> logSumExp = default,
            ReadOnlySpan<bool> keyMask = default,
            ReadOnlySpan<bool> mask = default,
            ReadOnlySpan<int> querySequenceStarts = default,
            ReadOnlySpan<int> keySequenceStarts = default,
            float scale = 0f,
            ReadOnlySpan<float> alibiSlopes = default,
            ReadOnlySpan<float> bias = default,
            ReadOnlySpan<float> sinks = default)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
        {
            ArgumentNullException.ThrowIfNull(spec);
            ComputeBatched(spec, spec.Layout, spec.Heads, spec.KeyValueHeads, batch, Widen(query, nameof(query)), Widen(key, nameof(key)), Widen(value, nameof(value)), output,
                keyLengths, queryLengths, sequenceStarts, logSumExp, keyMask, mask, querySequenceStarts, keySequenceStarts, scale, alibiSlopes, bias, sinks);
        }

        /// <summary>
        /// <see cref="ComputeBatched(AttentionSpec, AttentionLayout, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{double}, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{int}, Span{double}, ReadOnlySpan{bool}, ReadOnlySpan{bool}, ReadOnlySpan{int}, ReadOnlySpan{int}, float, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>
        /// for spans of float, <see cref="Half"/> or <see cref="BFloat16"/>, each value widened exactly to float.
        /// </summary>
        /// <exception cref="NotSupportedException">An element type is not float, Half or BFloat16.</exception>
        [SuppressMessage("ApiDesign", "RS0026", Justification = Overloads)]
        public static void ComputeBatched<TQuery, TKeyValue>(
            AttentionSpec spec,
            AttentionLayout layout,
            int heads,
            int keyValueHeads,
            int batch,
            ReadOnlySpan<TQuery> query,
            ReadOnlySpan<TKeyValue> key,
            ReadOnlySpan<TKeyValue> value,
            Span<double> output,
            ReadOnlySpan<int> keyLengths = default,
            ReadOnlySpan<int> queryLengths = default,
            ReadOnlySpan<int> sequenceStarts = default,
            Span<double> logSumExp = default,
            ReadOnlySpan<bool> keyMask = default,
            ReadOnlySpan<bool> mask = default,
            ReadOnlySpan<int> querySequenceStarts = default,
            ReadOnlySpan<int> keySequenceStarts = default,
            float scale = 0f,
            ReadOnlySpan<float> alibiSlopes = default,
            ReadOnlySpan<float> bias = default,
            ReadOnlySpan<float> sinks = default)
            where TQuery : unmanaged
            where TKeyValue : unmanaged =>
            ComputeBatched(spec, layout, heads, keyValueHeads, batch, Widen(query, nameof(query)), Widen(key, nameof(key)), Widen(value, nameof(value)), output,
                keyLengths, queryLengths, sequenceStarts, logSumExp, keyMask, mask, querySequenceStarts, keySequenceStarts, scale, alibiSlopes, bias, sinks);

        /// <summary>
        /// The values as floats, one scalar conversion each (not the engine's vector widening, which the reference checks):
        /// <c>(float)Half</c> and the bf16 bits shifted into a float's upper half are both exact.
        /// </summary>
        private static float[] Widen<T>(ReadOnlySpan<T> values, string name)
            where T : unmanaged
        {
            float[] wide = new float[values.Length];
            if (typeof(T) == typeof(float))
            {
                for (int i = 0; i < wide.Length; i++)
                {
                    wide[i] = Unsafe.As<T, float>(ref Unsafe.AsRef(in values[i]));
                }
            }
            else if (typeof(T) == typeof(Half))
            {
                for (int i = 0; i < wide.Length; i++)
                {
                    wide[i] = (float)Unsafe.As<T, Half>(ref Unsafe.AsRef(in values[i]));
                }
            }
            else if (typeof(T) == typeof(BFloat16))
            {
                for (int i = 0; i < wide.Length; i++)
                {
                    wide[i] = BitConverter.UInt32BitsToSingle((uint)Unsafe.As<T, BFloat16>(ref Unsafe.AsRef(in values[i])).Bits << 16);
                }
            }
            else
            {
                throw new NotSupportedException($"{name} has elements of type {typeof(T)}; the reference takes float, System.Half or KernelGen.BFloat16.");
            }

            return wide;
        }
    }
}
