using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.Engine
{
    /// <summary>
    /// The run-time masks of a batched kernel (<c>keyMask</c>: false drops a key for the call; <c>mask</c>: false hides
    /// key j from query row i) read as lanes of a block of scores, by the engine's row and tile loops; the spans themselves
    /// travel in <see cref="Engine.RuntimeMasks"/>. Either span may be empty (absent).
    /// </summary>
    internal static class RuntimeMaskBits
    {
        /// <summary>Whether every key in [first, first + count) is dropped by <paramref name="keyMask"/> (false when it is absent).</summary>
        public static bool AllDropped(ReadOnlySpan<bool> keyMask, int first, int count) =>
            !keyMask.IsEmpty && !keyMask.Slice(first, count).ContainsAnyExcept(false);

        /// <summary>Whether key <paramref name="key"/> is kept by both masks (an absent mask keeps everything).</summary>
        public static bool Keeps(ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, int key) =>
            (keyMask.IsEmpty || keyMask[key]) && (rowMask.IsEmpty || rowMask[key]);

        /// <summary>
        /// The flags of up to 16 keys as lane bits (bit t set when <paramref name="flags"/>[t] is true): one 16-byte
        /// compare for a whole block, a loop for a block cut short by Nk. A bool is read by truthiness (any non-zero byte).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static int Bits(ReadOnlySpan<bool> flags)
        {
            if (flags.Length == 16 && Vector128.IsHardwareAccelerated)
            {
                Vector128<byte> bytes = Vector128.LoadUnsafe(ref Unsafe.As<bool, byte>(ref MemoryMarshal.GetReference(flags)));
                return (int)(~Vector128.Equals(bytes, Vector128<byte>.Zero)).ExtractMostSignificantBits();
            }

            int bits = 0;
            for (int t = 0; t < flags.Length && t < 16; t++)
            {
                if (flags[t])
                {
                    bits |= 1 << t;
                }
            }

            return bits;
        }

        /// <summary>
        /// scores[t] = -inf for every key <paramref name="first"/> + t that either mask hides; returns whether any lane was
        /// hidden (the caller then guards its value accumulation against 0 x inf).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static bool Apply(Span<float> scores, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> rowMask, int first)
        {
            bool keyHidden = !keyMask.IsEmpty && Hide(scores, keyMask.Slice(first, scores.Length));
            bool rowHidden = !rowMask.IsEmpty && Hide(scores, rowMask.Slice(first, scores.Length));
            return keyHidden | rowHidden;
        }

        /// <summary>scores[t] = -inf where keep[t] is false; whether any was.</summary>
        private static bool Hide(Span<float> scores, ReadOnlySpan<bool> keep)
        {
            bool any = false;
            for (int t = 0; t < scores.Length; t++)
            {
                if (!keep[t])
                {
                    scores[t] = float.NegativeInfinity;
                    any = true;
                }
            }

            return any;
        }
    }
}
