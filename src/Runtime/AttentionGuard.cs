using System;

namespace KernelGen
{
    /// <summary>
    /// Argument validation shared by every generated kernel and by <see cref="ReferenceAttention"/>.
    /// Kernels call it before they write anything, so a bad call leaves the output untouched.
    /// </summary>
    public static class AttentionGuard
    {
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
