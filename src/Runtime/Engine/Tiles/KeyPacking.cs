using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen.Engine
{
    /// <summary>
    /// Packs the key matrix for the tiled kernels: keys in blocks of <see cref="PackedBlockKeys"/>, each block transposed to
    /// [d][16], so that one vector load reads dimension c of 16 consecutive keys and a tile of scores needs no
    /// horizontal sums. The last block is padded with zeros.
    /// </summary>
    internal static class KeyPacking
    {
        /// <summary>Keys per packed block (the lane count of a Vector512 of floats).</summary>
        public const int PackedBlockKeys = 16;

        /// <summary>
        /// The largest packed buffer a kernel rents (2^26 floats, 256 MiB). A call whose visited keys need more takes the
        /// unpacked one-row-at-a-time path instead: slower per key, but it needs no scratch memory at all.
        /// </summary>
        public const long MaxPackedLength = 1L << 26;

        /// <summary>The number of floats <see cref="PackTransposed"/> writes for <paramref name="keyCount"/> keys (a long: it can pass 2^31).</summary>
        public static long PackedLength(int keyCount, int headDimension) =>
            ((long)keyCount + PackedBlockKeys - 1) / PackedBlockKeys * PackedBlockKeys * headDimension;

        /// <summary>packed[b * 16 d + c * 16 + t] = key[(16 b + t) * d + c], zero past the last key.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void PackTransposed(ReadOnlySpan<float> key, int headDimension, Span<float> packed)
        {
            int keyCount = key.Length / headDimension;
            long length = PackedLength(keyCount, headDimension);
            if (packed.Length < length)
            {
                throw new ArgumentException($"The packed buffer needs {length} floats.", nameof(packed));
            }

            ref float source = ref MemoryMarshal.GetReference(key);
            ref float target = ref MemoryMarshal.GetReference(packed);
            int blocks = (int)(length / (PackedBlockKeys * headDimension));
            for (int block = 0; block < blocks; block++)
            {
                ref float blockStart = ref Unsafe.Add(ref target, block * PackedBlockKeys * headDimension);
                int keysInBlock = Math.Min(PackedBlockKeys, keyCount - block * PackedBlockKeys);
                if (keysInBlock < PackedBlockKeys)
                {
                    MemoryMarshal.CreateSpan(ref blockStart, PackedBlockKeys * headDimension).Clear();
                }

                for (int t = 0; t < keysInBlock; t++)
                {
                    ref float row = ref Unsafe.Add(ref source, (block * PackedBlockKeys + t) * headDimension);
                    for (int c = 0; c < headDimension; c++)
                    {
                        Unsafe.Add(ref blockStart, c * PackedBlockKeys + t) = Unsafe.Add(ref row, c);
                    }
                }
            }
        }
    }
}
