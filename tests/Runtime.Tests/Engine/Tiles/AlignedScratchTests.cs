using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>The engine's scratch views start on a cache line and lie wholly inside their buffer, whatever its own alignment.</summary>
    public sealed class AlignedScratchTests
    {
        [Theory]
        [InlineData(1)]
        [InlineData(17)]
        [InlineData(64 * 128)]
        [InlineData(300_000)] // a large-object-heap array
        public void View_OfARentedBuffer_StartsOnA64ByteBoundaryInsideTheBuffer(int length)
        {
            float[] buffer = AlignedScratch.Rent(length);
            GCHandle handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
            try
            {
                Span<float> view = AlignedScratch.View(buffer, length);
                long offset = (long)Unsafe.ByteOffset(ref buffer[0], ref view[0]);
                Assert.Equal(length, view.Length);
                Assert.Equal(0, ((long)handle.AddrOfPinnedObject() + offset) % 64);
                Assert.InRange(offset, 0, 60);
                Assert.True(offset / sizeof(float) + length <= buffer.Length);
            }
            finally
            {
                handle.Free();
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        [Fact]
        public void View_OfEveryMisalignedStart_SkipsToTheNextCacheLine()
        {
            float[] buffer = GC.AllocateArray<float>(64, pinned: true);
            long start = (long)Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0);
            for (int skip = 0; skip < 16; skip++)
            {
                Span<float> view = AlignedScratch.View(buffer.AsSpan(skip), 16);
                long address = start + (long)Unsafe.ByteOffset(ref buffer[0], ref view[0]);
                Assert.Equal(0, address % 64);
                Assert.InRange(address - (start + skip * sizeof(float)), 0, 60);
            }
        }
    }
}
