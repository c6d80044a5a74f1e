using System;
using System.Runtime.InteropServices;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>Which end of a <see cref="GuardedBuffer{T}"/>'s span touches its no-access page.</summary>
    public enum GuardSide
    {
        /// <summary>The span ends where a no-access page begins: one element read or written past its end faults.</summary>
        After,

        /// <summary>The span starts where a no-access page ends: one element read or written before its start faults.</summary>
        Before,
    }

    /// <summary>
    /// A span of <typeparamref name="T"/> placed flush against a page mapped with no access (Linux: mmap, mprotect through
    /// libc). A kernel that reads or writes one byte past the span's end (<see cref="GuardSide.After"/>) or before its start
    /// (<see cref="GuardSide.Before"/>) gets SIGSEGV, which kills the test process: the test run fails loudly instead of a
    /// stray read going unnoticed. The region is [no-access page][data pages][no-access page]; the memory lives outside the
    /// GC heap, so its address never moves and another thread may write it through <see cref="Pointer"/>.
    /// </summary>
    public sealed unsafe class GuardedBuffer<T> : IDisposable
        where T : unmanaged
    {
        private const int ProtNone = 0, ProtRead = 1, ProtWrite = 2;
        private const int MapPrivate = 0x02, MapAnonymous = 0x20;

        private byte* _region;
        private readonly nuint _regionBytes;
        private readonly nuint _page;

        /// <summary>Maps a region for <paramref name="length"/> elements (0 is allowed: an empty span at the page boundary).</summary>
        public GuardedBuffer(int length, GuardSide side)
        {
            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("Guard pages use mmap and mprotect from libc (Linux only).");
            }

            ArgumentOutOfRangeException.ThrowIfNegative(length);
            _page = (nuint)Environment.SystemPageSize;
            nuint bytes = (nuint)length * (nuint)sizeof(T);
            nuint dataPages = Math.Max(1, (bytes + _page - 1) / _page);
            _regionBytes = (dataPages + 2) * _page;
            nint mapped = Libc.mmap(0, _regionBytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (mapped == -1)
            {
                throw new InvalidOperationException($"mmap of {_regionBytes} bytes failed: errno {Marshal.GetLastPInvokeError()}");
            }

            _region = (byte*)mapped;
            Protect(_region, ProtNone);
            Protect(_region + _regionBytes - _page, ProtNone);
            byte* dataStart = _region + _page, dataEnd = _region + _regionBytes - _page;
            Pointer = side == GuardSide.Before ? (T*)dataStart : (T*)(dataEnd - bytes);
            Length = length;
            Side = side;
        }

        /// <summary>The first element (stable for the buffer's life).</summary>
        public T* Pointer { get; }

        public int Length { get; }

        public GuardSide Side { get; }

        public Span<T> Span
        {
            get
            {
                ObjectDisposedException.ThrowIf(_region == null, this);
                return new Span<T>(Pointer, Length);
            }
        }

        /// <summary>A guarded copy of <paramref name="content"/>.</summary>
        public static GuardedBuffer<T> Of(ReadOnlySpan<T> content, GuardSide side)
        {
            var buffer = new GuardedBuffer<T>(content.Length, side);
            content.CopyTo(buffer.Span);
            return buffer;
        }

        /// <summary>Restores access to the guard pages, then unmaps the region.</summary>
        public void Dispose()
        {
            if (_region == null)
            {
                return;
            }

            Protect(_region, ProtRead | ProtWrite);
            Protect(_region + _regionBytes - _page, ProtRead | ProtWrite);
            if (Libc.munmap((nint)_region, _regionBytes) != 0)
            {
                throw new InvalidOperationException($"munmap failed: errno {Marshal.GetLastPInvokeError()}");
            }

            _region = null;
        }

        private void Protect(byte* page, int protection)
        {
            if (Libc.mprotect((nint)page, _page, protection) != 0)
            {
                throw new InvalidOperationException($"mprotect({protection}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }
}
