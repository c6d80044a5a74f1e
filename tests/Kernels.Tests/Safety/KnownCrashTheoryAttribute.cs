using System;
using Xunit;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// A theory that crashed the test process (access violation) on the runtime this test was written against. A crash
    /// ends the whole run, so it runs only when <c>KERNELGEN_RUN_KNOWN_CRASHES=1</c>; otherwise it is skipped, and the
    /// skip reason says how to run it. Once the runtime is fixed, run it with the switch, then drop the attribute.
    /// </summary>
    public sealed class KnownCrashTheoryAttribute : TheoryAttribute
    {
        public const string Switch = "KERNELGEN_RUN_KNOWN_CRASHES";

        public KnownCrashTheoryAttribute()
        {
            if (!OperatingSystem.IsLinux())
            {
                Skip = GuardPageFactAttribute.NotLinux;
            }
            else if (Environment.GetEnvironmentVariable(Switch) != "1")
            {
                Skip = $"Crashed the test process on the runtime it was written against; run it alone with {Switch}=1.";
            }
        }
    }
}
