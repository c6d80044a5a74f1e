using System;
using Xunit;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>A fact that needs guard pages (<see cref="GuardedBuffer{T}"/>): skipped, and says so, off Linux.</summary>
    public sealed class GuardPageFactAttribute : FactAttribute
    {
        public const string NotLinux = "Guard pages use mmap/mprotect from libc: Linux only; this test was not run.";

        public GuardPageFactAttribute()
        {
            if (!OperatingSystem.IsLinux())
            {
                Skip = NotLinux;
            }
        }
    }
}
