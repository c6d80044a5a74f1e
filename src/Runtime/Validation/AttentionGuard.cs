using System;
using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>
    /// Argument validation shared by every generated kernel and by <see cref="ReferenceAttention"/>.
    /// Kernels call it before they write anything, so a bad call leaves the output untouched.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class AttentionGuard
    {
        /// <summary>
        /// A score scale given per call: finite and greater than 0, or <see cref="ArgumentOutOfRangeException"/> naming
        /// <paramref name="scaleName"/>.
        /// </summary>
        public static void ValidateScale(float scale, string scaleName)
        {
            if (!(float.IsFinite(scale) && scale > 0f))
            {
                throw new ArgumentOutOfRangeException(scaleName, scale, $"The {scaleName} must be finite and greater than 0.");
            }
        }

        /// <summary>
        /// The checks of <see cref="Validate(int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, string, string, string, string, out int, out int)"/>
        /// for spans of any element type (float, <see cref="Half"/>, <see cref="BFloat16"/>): lengths in elements, and no
        /// byte of output shared with an input whatever the element types.
        /// </summary>
        public static void Validate<TQuery, TKeyValue, TOutput>(
            int headDimension,
            ReadOnlySpan<TQuery> query,
            ReadOnlySpan<TKeyValue> key,
            ReadOnlySpan<TKeyValue> value,
            Span<TOutput> output,
            string queryName,
            string keyName,
            string valueName,
            string outputName,
            out int queryCount,
            out int keyCount)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged
        {
            ValidateLengths(headDimension, query.Length, key.Length, value.Length, output.Length,
                queryName, keyName, valueName, outputName, out queryCount, out keyCount);
            ReadOnlySpan<TOutput> written = output;
            RefuseOverlap(written, outputName, query, queryName);
            RefuseOverlap(written, outputName, key, keyName);
            RefuseOverlap(written, outputName, value, valueName);
        }

        /// <summary>
        /// Refuses a call in which a span it writes (<paramref name="written"/>) shares a byte with another of its spans:
        /// an <see cref="ArgumentException"/> naming both, with <paramref name="writtenName"/> as its parameter name. A
        /// kernel reads its inputs after it has written output rows, and reads lengths and masks while it writes, so any
        /// overlap would corrupt the result or the call's own bounds.
        /// </summary>
        internal static void RefuseOverlap<TWritten, TRead>(ReadOnlySpan<TWritten> written, string writtenName, ReadOnlySpan<TRead> read, string readName)
            where TWritten : unmanaged
            where TRead : unmanaged
        {
            if (Overlaps(written, read))
            {
                throw new ArgumentException(
                    $"The {writtenName} buffer overlaps the {readName} buffer; attention cannot be computed in place: what a call writes must share no memory with any other span of the call.",
                    writtenName);
            }
        }

        /// <summary>
        /// Whether two spans of any element types share a byte, computed on 64-bit byte offsets (a span of up to
        /// int.MaxValue floats has more bytes than an int holds, so MemoryMarshal.AsBytes would overflow).
        /// </summary>
        internal static bool Overlaps<TA, TB>(ReadOnlySpan<TA> a, ReadOnlySpan<TB> b)
            where TA : unmanaged
            where TB : unmanaged
        {
            if (a.IsEmpty || b.IsEmpty)
            {
                return false;
            }

            long offset = System.Runtime.CompilerServices.Unsafe.ByteOffset(
                ref System.Runtime.CompilerServices.Unsafe.As<TA, byte>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a)),
                ref System.Runtime.CompilerServices.Unsafe.As<TB, byte>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b)));
            return offset >= 0
                ? offset < (long)a.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<TA>()
                : -offset < (long)b.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<TB>();
        }

        /// <summary>
        /// Everything a single-head kernel checks before it writes: the lengths (see <see cref="ValidateLengths"/>) and that
        /// <paramref name="output"/> shares no memory with <paramref name="query"/>, <paramref name="key"/> or
        /// <paramref name="value"/> (a kernel reads key and value rows after it has written output rows, so an overlap
        /// would silently corrupt the result). The three inputs may overlap each other freely (self-attention often passes
        /// one buffer three times). Throws <see cref="ArgumentException"/> naming the offending parameter.
        /// </summary>
        public static void Validate(
            int headDimension,
            ReadOnlySpan<float> query,
            ReadOnlySpan<float> key,
            ReadOnlySpan<float> value,
            Span<float> output,
            string queryName,
            string keyName,
            string valueName,
            string outputName,
            out int queryCount,
            out int keyCount)
        {
            Validate<float, float, float>(headDimension, query, key, value, output, queryName, keyName, valueName, outputName, out queryCount, out keyCount);
        }

        /// <summary>
        /// Checks the four span lengths of a single-head kernel with head dimension <paramref name="headDimension"/> and returns
        /// the query and key counts. Throws <see cref="ArgumentException"/> naming the offending parameter when a length is
        /// not a whole number of rows, when value and key differ, or when output and query differ.
        /// </summary>
        public static void ValidateLengths(
            int headDimension,
            int queryLength,
            int keyLength,
            int valueLength,
            int outputLength,
            string queryName,
            string keyName,
            string valueName,
            string outputName,
            out int queryCount,
            out int keyCount)
        {
            if (headDimension <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(headDimension), headDimension, "The head dimension must be positive.");
            }

            if (queryLength % headDimension != 0)
            {
                throw new ArgumentException(
                    $"The {queryName} length {queryLength} is not a whole number of rows of head dimension {headDimension}.", queryName);
            }

            if (keyLength % headDimension != 0)
            {
                throw new ArgumentException(
                    $"The {keyName} length {keyLength} is not a whole number of rows of head dimension {headDimension}.", keyName);
            }

            if (valueLength != keyLength)
            {
                throw new ArgumentException(
                    $"The {valueName} length {valueLength} must equal the {keyName} length {keyLength}.", valueName);
            }

            if (outputLength != queryLength)
            {
                throw new ArgumentException(
                    $"The {outputName} length {outputLength} must equal the {queryName} length {queryLength}.", outputName);
            }

            queryCount = queryLength / headDimension;
            keyCount = keyLength / headDimension;
        }
    }
}
