using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// <see cref="AttentionGuard"/>, the checks every kernel and the reference make before they write: the scale, the four
    /// span lengths (whole rows, value as long as key, output as long as query; the exception type and the parameter it
    /// names), and the refusal of an output that shares a byte with an input, whatever the element types, computed on
    /// 64-bit byte offsets. Byte intervals written out here are the expectation.
    /// </summary>
    public sealed class AttentionGuardTests
    {
        private const string Q = "q", K = "k", V = "v", O = "o";

        /// <summary>An element of 3 bytes: an overlap rule that assumed power-of-two sizes would miss its last byte.</summary>
        private readonly struct Three
        {
            public readonly byte A, B, C;

            public Three(byte a, byte b, byte c) => (A, B, C) = (a, b, c);
        }

        [Theory]
        [InlineData(float.Epsilon)]
        [InlineData(1e-30f)]
        [InlineData(0.125f)]
        [InlineData(1f)]
        [InlineData(float.MaxValue)]
        public void ValidateScale_FiniteAndPositive_Passes(float scale) => AttentionGuard.ValidateScale(scale, "softmaxScale");

        [Theory]
        [InlineData(0f)]
        [InlineData(-float.Epsilon)]
        [InlineData(-1f)]
        [InlineData(float.MinValue)]
        [InlineData(float.NaN)]
        [InlineData(float.PositiveInfinity)]
        [InlineData(float.NegativeInfinity)]
        public void ValidateScale_NotFiniteOrNotPositive_ThrowsNamingTheScale(float scale) => AssertScaleRefused(scale);

        [Fact]
        public void ValidateScale_NegativeZero_ThrowsNamingTheScale() => AssertScaleRefused(-0f); // xUnit counts -0 a duplicate of 0 in InlineData

        private static void AssertScaleRefused(float scale)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => AttentionGuard.ValidateScale(scale, "softmaxScale"));

            Assert.Equal("softmaxScale", error.ParamName);
            Assert.Equal(BitConverter.SingleToInt32Bits(scale), BitConverter.SingleToInt32Bits(Assert.IsType<float>(error.ActualValue)));
            Assert.Contains("The softmaxScale must be finite and greater than 0", error.Message);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        [InlineData(int.MinValue)]
        public void ValidateLengths_HeadDimensionNotPositive_ThrowsNamingHeadDimension(int headDimension)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
                AttentionGuard.ValidateLengths(headDimension, 0, 0, 0, 0, Q, K, V, O, out _, out _));

            Assert.Equal("headDimension", error.ParamName);
            Assert.Equal(headDimension, error.ActualValue);
        }

        [Theory]
        [InlineData(1, 0, 0, 0, 0)] // an empty call
        [InlineData(8, 0, 8, 0, 1)] // no queries
        [InlineData(8, 8, 0, 1, 0)] // no keys
        [InlineData(1, 1, 1, 1, 1)]
        [InlineData(3, 6, 15, 2, 5)] // Nq != Nk
        [InlineData(64, 64 * 17, 64 * 15, 17, 15)] // a block + 1 queries, a block - 1 keys
        public void ValidateLengths_WholeRows_ReturnsTheCounts(int headDimension, int queryLength, int keyLength, int queryCount, int keyCount)
        {
            AttentionGuard.ValidateLengths(headDimension, queryLength, keyLength, keyLength, queryLength, Q, K, V, O, out int queries, out int keys);

            Assert.Equal((queryCount, keyCount), (queries, keys));
        }

        [Theory]
        [InlineData(4, 7, 8, 8, 7, Q)] // query not whole rows (output matches it)
        [InlineData(4, 8, 9, 9, 8, K)] // key not whole rows (value matches it)
        [InlineData(4, 8, 8, 12, 8, V)] // value longer than key, whole rows
        [InlineData(4, 8, 8, 7, 8, V)] // value shorter, not whole rows
        [InlineData(4, 8, 8, 8, 12, O)] // output longer than query
        [InlineData(4, 8, 8, 8, 0, O)] // output empty
        [InlineData(4, 0, 8, 8, 4, O)] // output without queries
        [InlineData(4, 1, 1, 2, 3, Q)] // everything wrong: query is checked first,
        [InlineData(4, 4, 1, 2, 3, K)] // then key,
        [InlineData(4, 4, 4, 2, 3, V)] // then value, then output
        public void ValidateLengths_BadLength_ThrowsNamingThatParameter(int headDimension, int queryLength, int keyLength, int valueLength, int outputLength, string expected)
        {
            var error = Assert.Throws<ArgumentException>(() =>
                AttentionGuard.ValidateLengths(headDimension, queryLength, keyLength, valueLength, outputLength, Q, K, V, O, out _, out _));

            Assert.Equal(expected, error.ParamName);
        }

        [Fact]
        public void ValidateLengths_RandomLengthsWithOneFault_NameTheFaultyParameter()
        {
            var random = new Random(1901);
            for (int trial = 0; trial < 5_000; trial++)
            {
                int d = random.Next(1, 130);
                int queryLength = random.Next(0, 40) * d, keyLength = random.Next(0, 40) * d;
                int valueLength = keyLength, outputLength = queryLength;
                string? fault = (random.Next(5), d) switch
                {
                    (0, > 1) => Q,
                    (1, > 1) => K,
                    (2, _) => V,
                    (3, _) => O,
                    _ => null,
                };
                int off = d > 1 ? random.Next(1, d) : random.Next(1, 3) * (random.Next(2) == 0 ? 1 : -1); // not a multiple of d (d > 1), or a different length
                switch (fault)
                {
                    case Q: queryLength += off; outputLength = queryLength; break;
                    case K: keyLength += off; valueLength = keyLength; break;
                    case V: valueLength = Math.Max(0, valueLength + (valueLength == 0 ? Math.Abs(off) : off)); break;
                    case O: outputLength = Math.Max(0, outputLength + (outputLength == 0 ? Math.Abs(off) : off)); break;
                }

                string context = $"trial {trial}: d {d}, lengths {queryLength} {keyLength} {valueLength} {outputLength}";
                if (fault is null)
                {
                    AttentionGuard.ValidateLengths(d, queryLength, keyLength, valueLength, outputLength, Q, K, V, O, out int queries, out int keys);
                    Assert.True((queryLength / d, keyLength / d) == (queries, keys), context);
                }
                else
                {
                    var error = Assert.Throws<ArgumentException>(() =>
                        AttentionGuard.ValidateLengths(d, queryLength, keyLength, valueLength, outputLength, Q, K, V, O, out _, out _));
                    Assert.True(fault == error.ParamName, $"{context}: named {error.ParamName}, expected {fault}");
                }
            }
        }

        [Fact]
        public void Validate_InputsSharingOneBuffer_Pass()
        {
            // Self-attention passes one buffer three times; only the output must stand apart.
            float[] buffer = new float[24], output = new float[24];

            AttentionGuard.Validate(4, buffer, buffer, buffer, output, Q, K, V, O, out int queries, out int keys);

            Assert.Equal((6, 6), (queries, keys));
        }

        [Fact]
        public void Validate_OutputOverlappingAnInputByOneFloat_ThrowsNamingOutputAndThatInput()
        {
            // One buffer: q [0, 8), k [8, 16), v [16, 24); an output of 8 floats slid across them one float at a time.
            float[] buffer = new float[40];
            for (int start = 0; start <= 32; start++)
            {
                string? expected = start < 8 ? Q : start < 16 ? K : start < 24 ? V : null;
                AssertRefusedOver(expected, $"output at {start}", () =>
                    AttentionGuard.Validate(4, buffer.AsSpan(0, 8), buffer.AsSpan(8, 8), buffer.AsSpan(16, 8), buffer.AsSpan(start, 8), Q, K, V, O, out _, out _));
            }
        }

        [Fact]
        public void Validate_BadLengthAndOverlap_ReportsTheLength()
        {
            float[] buffer = new float[16];

            var error = Assert.Throws<ArgumentException>(() =>
                AttentionGuard.Validate(4, buffer.AsSpan(0, 7), buffer.AsSpan(8, 8), buffer.AsSpan(8, 8), buffer.AsSpan(0, 7), Q, K, V, O, out _, out _));

            Assert.Equal(Q, error.ParamName);
        }

        [Fact]
        public void Validate_EmptyOutputInsideAnInput_Passes()
        {
            // No queries: an empty output shares no byte with anything, wherever it points.
            float[] key = new float[8];

            AttentionGuard.Validate(4, key.AsSpan(4, 0), key, key, key.AsSpan(4, 0), Q, K, V, O, out int queries, out int keys);

            Assert.Equal((0, 2), (queries, keys));
        }

        [Fact]
        public void Validate_MixedElementTypes_RefusesAnOutputSharingOneByte()
        {
            // Bytes: q float [16, 32), k BFloat16 [40, 48), v BFloat16 [56, 64); the output, 4 halves (8 bytes), slides
            // across them one byte at a time, odd offsets included.
            byte[] buffer = new byte[96];
            for (int start = 0; start <= 88; start++)
            {
                int end = start + 8;
                string? expected = start < 32 && end > 16 ? Q : start < 48 && end > 40 ? K : start < 64 && end > 56 ? V : null;
                AssertRefusedOver(expected, $"output at byte {start}", () =>
                {
                    AttentionGuard.Validate(2,
                        MemoryMarshal.Cast<byte, float>(buffer.AsSpan(16, 16)),
                        MemoryMarshal.Cast<byte, BFloat16>(buffer.AsSpan(40, 8)),
                        MemoryMarshal.Cast<byte, BFloat16>(buffer.AsSpan(56, 8)),
                        MemoryMarshal.Cast<byte, Half>(buffer.AsSpan(start, 8)),
                        Q, K, V, O, out int queries, out int keys);
                    Assert.Equal((2, 2), (queries, keys));
                });
            }
        }

        [Fact]
        public void Overlaps_RandomByteRanges_IsTheIntersectionOfTheByteIntervals()
        {
            var random = new Random(1902);
            byte[] buffer = new byte[160];
            AssertOverlapsRandomly<byte, float>(random, buffer);
            AssertOverlapsRandomly<Half, float>(random, buffer);
            AssertOverlapsRandomly<float, double>(random, buffer);
            AssertOverlapsRandomly<Three, Half>(random, buffer);
            AssertOverlapsRandomly<double, Three>(random, buffer);
            AssertOverlapsRandomly<float, float>(random, buffer);
            AssertOverlapsRandomly<BFloat16, bool>(random, buffer);
        }

        [Fact]
        public void Overlaps_DifferentArraysOrAnEmptySpan_IsFalse()
        {
            float[] first = new float[8], second = new float[8];

            Assert.False(AttentionGuard.Overlaps<float, float>(first, second));
            Assert.False(AttentionGuard.Overlaps<float, float>(first.AsSpan(3, 0), first));
            Assert.False(AttentionGuard.Overlaps<float, float>(first, first.AsSpan(3, 0)));
            Assert.False(AttentionGuard.Overlaps<float, float>(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty));
        }

        [Fact]
        public void Overlaps_SpansOfMoreThan4GiB_CompareOn64BitOffsets()
        {
            // int.MaxValue floats span 8 GiB - 4 bytes: a byte count or offset held in an int would wrap. The spans are
            // addresses only (low addresses built from a null reference, not in the GC heap) and are never read.
            const long bytes = (long)int.MaxValue * sizeof(float);
            const long at = 1L << 33;

            Assert.True(OverlapsOutsideTheHeap(at, int.MaxValue, at + bytes - 1, 1)); // the last byte of the big span
            Assert.False(OverlapsOutsideTheHeap(at, int.MaxValue, at + bytes, 1)); // the byte after it
            Assert.True(OverlapsOutsideTheHeap(at, int.MaxValue, at + (1L << 32), 1)); // 4 GiB in: past what an int offset holds
            Assert.False(OverlapsOutsideTheHeap(at, int.MaxValue, at - 1, 1)); // the byte before it
            Assert.True(OverlapsOutsideTheHeap(at, int.MaxValue, at - int.MaxValue + 1, int.MaxValue)); // 2 GiB of bytes ending on its first byte
        }

        /// <summary>
        /// Runs <paramref name="validate"/>: it must pass when <paramref name="expected"/> is null, else be refused naming the
        /// output as the parameter and the output and <paramref name="expected"/> in the message.
        /// </summary>
        private static void AssertRefusedOver(string? expected, string context, Action validate)
        {
            ArgumentException? error = null;
            try
            {
                validate();
            }
            catch (ArgumentException refused)
            {
                error = refused;
            }

            Assert.True((expected is null) == (error is null),
                $"{context}: expected {(expected is null ? "no refusal" : "a refusal over " + expected)}, got {error?.Message ?? "none"}");
            if (error is not null)
            {
                Assert.Equal(O, error.ParamName);
                Assert.Contains($"The o buffer overlaps the {expected} buffer", error.Message);
            }
        }

        /// <summary>Whether a span of <paramref name="floatCount"/> floats at a byte address and a span of bytes at another overlap, the same in both argument orders.</summary>
        private static bool OverlapsOutsideTheHeap(long floatsAt, int floatCount, long bytesAt, int byteCount)
        {
            (bool forward, bool backward) = BothOrders(floatsAt, floatCount, bytesAt, byteCount);
            Assert.True(forward == backward, $"floats at {floatsAt}, bytes at {bytesAt}: {forward} one way, {backward} the other");
            return forward;

            // Allocates nothing while the references live, so no collection sees them.
            static (bool, bool) BothOrders(long floatsAt, int floatCount, long bytesAt, int byteCount)
            {
                ReadOnlySpan<float> floats = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<float>(), (nint)floatsAt), floatCount);
                ReadOnlySpan<byte> bytes = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), (nint)bytesAt), byteCount);
                return (AttentionGuard.Overlaps(floats, bytes), AttentionGuard.Overlaps(bytes, floats));
            }
        }

        /// <summary>Spans of <typeparamref name="TA"/> and <typeparamref name="TB"/> at random byte offsets of one buffer, both argument orders.</summary>
        private static void AssertOverlapsRandomly<TA, TB>(Random random, byte[] buffer)
            where TA : unmanaged
            where TB : unmanaged
        {
            int sizeA = Unsafe.SizeOf<TA>(), sizeB = Unsafe.SizeOf<TB>();
            for (int trial = 0; trial < 3_000; trial++)
            {
                int startA = random.Next(0, 64), countA = random.Next(0, 9);
                int startB = random.Next(0, 64), countB = random.Next(0, 9);
                ReadOnlySpan<TA> a = MemoryMarshal.Cast<byte, TA>(buffer.AsSpan(startA, countA * sizeA));
                ReadOnlySpan<TB> b = MemoryMarshal.Cast<byte, TB>(buffer.AsSpan(startB, countB * sizeB));
                int endA = startA + countA * sizeA, endB = startB + countB * sizeB;
                bool expected = startA < endA && startB < endB && startA < endB && startB < endA;
                if (expected != AttentionGuard.Overlaps(a, b) || expected != AttentionGuard.Overlaps(b, a))
                {
                    Assert.Fail($"{typeof(TA).Name} bytes [{startA}, {endA}) and {typeof(TB).Name} bytes [{startB}, {endB}): expected {expected}");
                }
            }
        }
    }
}
