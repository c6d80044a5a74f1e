using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace KernelGen.Generator.Tests
{
    /// <summary>
    /// Snapshot checks with the Verify conventions: <c>Snapshots/Name.verified.cs</c> beside the test holds the accepted text;
    /// a mismatch writes <c>Name.received.cs</c> next to it and fails; <c>KERNELGEN_ACCEPT=1</c> accepts the new text instead.
    /// </summary>
    internal static class Snapshot
    {
        public const string AcceptVariable = "KERNELGEN_ACCEPT";

        public static void Verify(string actual, string name, [CallerFilePath] string testFile = "")
        {
            string directory = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
            string verified = Path.Combine(directory, name + ".verified.cs");
            string received = Path.Combine(directory, name + ".received.cs");
            actual = actual.Replace("\r\n", "\n");

            if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(verified, actual);
                File.Delete(received);
                return;
            }

            string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
            if (expected == actual)
            {
                File.Delete(received);
                return;
            }

            Directory.CreateDirectory(directory);
            File.WriteAllText(received, actual);
            throw new XunitException(
                expected is null
                    ? $"No snapshot {verified}. Wrote {received}; review it and rename it to .verified.cs, or rerun with {AcceptVariable}=1."
                    : $"Snapshot {name} differs from {verified} at line {FirstDifferentLine(expected, actual)}. Wrote {received}; diff them, and rerun with {AcceptVariable}=1 to accept.");
        }

        private static int FirstDifferentLine(string expected, string actual)
        {
            string[] left = expected.Split('\n');
            string[] right = actual.Split('\n');
            for (int i = 0; i < Math.Min(left.Length, right.Length); i++)
            {
                if (left[i] != right[i])
                {
                    return i + 1;
                }
            }

            return Math.Min(left.Length, right.Length) + 1;
        }
    }
}
