using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Timing
{
    /// <summary>What a timing depends on besides the kernel: the CPU, the runtime, and the vector path a kernel takes.</summary>
    internal static class MachineInfo
    {
        /// <summary>The CPU's model name where the OS reports it (Linux: /proc/cpuinfo), else the architecture.</summary>
        public static string Cpu()
        {
            const string CpuInfo = "/proc/cpuinfo";
            string? model = File.Exists(CpuInfo)
                ? File.ReadLines(CpuInfo).FirstOrDefault(static line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
            return $"{model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} logical processors, " +
                $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier}";
        }

        /// <summary>
        /// The path a kernel takes: the widest accelerated vector width, as the generated dispatch picks it (the
        /// DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0 switches narrow it).
        /// </summary>
        public static string VectorPath()
        {
            if (Vector512.IsHardwareAccelerated && Vector512<float>.IsSupported)
            {
                return "Vector512 (AVX-512)";
            }

            if (Vector256.IsHardwareAccelerated)
            {
                return Avx2.IsSupported ? "Vector256 (AVX2)" : "Vector256";
            }

            return Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";
        }
    }
}
