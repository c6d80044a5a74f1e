using System;
using System.ComponentModel;
using System.Globalization;

namespace KernelGen.Engine
{
    /// <summary>
    /// Checks the shapes and strides of the tensors handed to a batched kernel's tensor form
    /// (<c>ReadOnlyTensorSpan&lt;float&gt;</c> / <c>TensorSpan&lt;float&gt;</c> of System.Numerics.Tensors) against its layout,
    /// and derives the batch size. Takes the tensors' lengths and strides as plain spans, so the runtime does not
    /// depend on the System.Numerics.Tensors package; the generated tensor form reads them off the tensors.
    /// </summary>
    /// <remarks>
    /// Accepted: rank 4 in the kernel's layout order ([B, N, H, d] or [B, H, N, d]), or rank 3 [total, H, d] for a packed
    /// kernel, dense and row-major (a dimension of length 1 may have any stride). Rejected with an
    /// <see cref="ArgumentException"/> naming the parameter: another rank, a head count or head dimension that differs
    /// from the kernel's, batch or row counts that disagree between the tensors, and strided or broadcast views (for
    /// example a slice of a fused [B, N, 3, H, d] QKV projection): those must be copied into a dense tensor first.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class TensorShapes
    {
        /// <summary>
        /// Validates the four tensors of a batched call against <paramref name="info"/> (its layout, head counts, head
        /// dimension and parameter names; packed when it declares sequence starts) and returns B (for a packed kernel, -1:
        /// the batch size then comes from its sequence starts).
        /// </summary>
        public static int ValidateBatched(
            BatchedKernelInfo info,
            ReadOnlySpan<nint> queryLengths,
            ReadOnlySpan<nint> queryStrides,
            ReadOnlySpan<nint> keyLengths,
            ReadOnlySpan<nint> keyStrides,
            ReadOnlySpan<nint> valueLengths,
            ReadOnlySpan<nint> valueStrides,
            ReadOnlySpan<nint> outputLengths,
            ReadOnlySpan<nint> outputStrides)
        {
            ArgumentNullException.ThrowIfNull(info);
            AttentionLayout layout = info.Layout;
            int headDimension = info.HeadDimension, heads = info.Heads, keyValueHeads = info.KeyValueHeads;
            bool packed = info.Packed;
            string queryName = info.QueryName, keyName = info.KeyName, valueName = info.ValueName, outputName = info.OutputName;
            CheckTensor(layout, headDimension, heads, packed, queryLengths, queryStrides, queryName, "Nq");
            CheckTensor(layout, headDimension, keyValueHeads, packed, keyLengths, keyStrides, keyName, "Nk");
            CheckTensor(layout, headDimension, keyValueHeads, packed, valueLengths, valueStrides, valueName, "Nk");
            CheckTensor(layout, headDimension, heads, packed, outputLengths, outputStrides, outputName, "Nq");

            if (!queryLengths.SequenceEqual(outputLengths))
            {
                throw new ArgumentException(
                    $"The {outputName} tensor's lengths {Format(outputLengths)} must equal {queryName}'s {Format(queryLengths)}.", outputName);
            }

            if (!keyLengths.SequenceEqual(valueLengths))
            {
                throw new ArgumentException(
                    $"The {valueName} tensor's lengths {Format(valueLengths)} must equal {keyName}'s {Format(keyLengths)}.", valueName);
            }

            if (packed)
            {
                return -1;
            }

            if (keyLengths[0] != queryLengths[0])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The {keyName} tensor holds {(long)keyLengths[0]} batch items but {queryName} holds {(long)queryLengths[0]}; the first dimension is B for every tensor."), keyName);
            }

            if (queryLengths[0] > int.MaxValue)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The {queryName} tensor holds {(long)queryLengths[0]} batch items; a call takes at most {int.MaxValue}."), queryName);
            }

            return (int)queryLengths[0];
        }

        /// <summary>
        /// Checks one tensor: rank, head count, head dimension, dense row-major strides, and a total length that fits a
        /// span.
        /// </summary>
        private static void CheckTensor(
            AttentionLayout layout, int headDimension, int heads, bool packed, ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, string name, string rowsName)
        {
            int rank = packed ? 3 : 4;
            if (lengths.Length != rank)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The {name} tensor must have rank {rank}, {Shape(layout, headDimension, heads, packed, rowsName)} ({(packed ? "packed" : layout.ToString())}); its lengths are {Format(lengths)}."), name);
            }

            int headAxis = packed ? 1 : layout == AttentionLayout.BatchHeadSeqDim ? 1 : 2;
            if (lengths[headAxis] != heads || lengths[rank - 1] != headDimension)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The {name} tensor must be {Shape(layout, headDimension, heads, packed, rowsName)}: dimension {headAxis} holds the {heads} heads and the last one d = {headDimension}; its lengths are {Format(lengths)}."), name);
            }

            // Dense row-major: each dimension's stride is the product of the lengths after it. A dimension of length 1 is
            // never stepped over, so its stride does not matter; an empty tensor has no element to reach.
            bool empty = false;
            foreach (nint length in lengths)
            {
                if (length < 0)
                {
                    throw new ArgumentException($"The {name} tensor's lengths {Format(lengths)} include a negative one.", name);
                }

                empty |= length == 0;
            }

            long inner = 1;
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                if (!empty && lengths[axis] > 1 && strides[axis] != inner)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"The {name} tensor's strides {Format(strides)} are not dense row-major for lengths {Format(lengths)}: dimension {axis} must step {inner} elements, not {(long)strides[axis]}. ") +
                        "Strided or broadcast views (e.g. a slice of a fused QKV tensor) must be copied into a dense tensor first.", name);
                }

                // Saturating, so that no product of lengths can wrap around into a small count.
                inner = lengths[axis] == 0 ? 0 : inner > long.MaxValue / lengths[axis] ? long.MaxValue : inner * lengths[axis];
                if (inner > int.MaxValue)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"The {name} tensor holds more than {int.MaxValue} elements (lengths {Format(lengths)}); a kernel's span holds at most that many."), name);
                }
            }
        }

        /// <summary>The expected shape in words, e.g. [B, Nq, 12, 32] (built only for an exception message: nothing is allocated on success).</summary>
        private static string Shape(AttentionLayout layout, int headDimension, int heads, bool packed, string rowsName)
        {
            string headsText = heads.ToString(CultureInfo.InvariantCulture);
            string dimensionText = headDimension.ToString(CultureInfo.InvariantCulture);
            return packed ? $"[total, {headsText}, {dimensionText}]"
                : layout == AttentionLayout.BatchHeadSeqDim ? $"[B, {headsText}, {rowsName}, {dimensionText}]"
                : $"[B, {rowsName}, {headsText}, {dimensionText}]";
        }

        private static string Format(ReadOnlySpan<nint> values)
        {
            var text = new System.Text.StringBuilder("[");
            for (int i = 0; i < values.Length; i++)
            {
                text.Append(i == 0 ? string.Empty : ", ").Append(((long)values[i]).ToString(CultureInfo.InvariantCulture));
            }

            return text.Append(']').ToString();
        }
    }
}
