using System;
using Xunit;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>A theory that needs guard pages (<see cref="GuardedBuffer{T}"/>): skipped, and says so, off Linux.</summary>
    public sealed class GuardPageTheoryAttribute : TheoryAttribute
    {
        public GuardPageTheoryAttribute()
        {
            if (!OperatingSystem.IsLinux())
            {
                Skip = GuardPageFactAttribute.NotLinux;
            }
        }
    }
}
