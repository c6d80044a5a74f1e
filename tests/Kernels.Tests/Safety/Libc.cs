using System.Runtime.InteropServices;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>The libc calls <see cref="GuardedBuffer{T}"/> needs (Linux x64 signatures: off_t is 64 bits).</summary>
    internal static class Libc
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int mprotect(nint addr, nuint len, int prot);

        [DllImport("libc", SetLastError = true)]
        internal static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

        [DllImport("libc", SetLastError = true)]
        internal static extern int munmap(nint addr, nuint length);
    }
}
