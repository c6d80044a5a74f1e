using System;
using Xunit;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// A theory that kills the test process when it passes (the guard-page proof: a read outside a guarded span must end
    /// in SIGSEGV). It runs only when <c>KERNELGEN_RUN_PROCESS_KILLERS=1</c>, alone:
    /// <c>KERNELGEN_RUN_PROCESS_KILLERS=1 dotnet test tests/Kernels.Tests -c Release --filter "FullyQualifiedName~GuardedBuffer_AccessOutsideTheSpan"</c>
    /// (the run aborts with an access violation: that is the pass).
    /// </summary>
    public sealed class ProcessKillingTheoryAttribute : TheoryAttribute
    {
        public const string Switch = "KERNELGEN_RUN_PROCESS_KILLERS";

        public ProcessKillingTheoryAttribute()
        {
            if (!OperatingSystem.IsLinux())
            {
                Skip = GuardPageFactAttribute.NotLinux;
            }
            else if (Environment.GetEnvironmentVariable(Switch) != "1")
            {
                Skip = $"Kills the test process by design (the guard-page proof); run it alone with {Switch}=1.";
            }
        }
    }
}
