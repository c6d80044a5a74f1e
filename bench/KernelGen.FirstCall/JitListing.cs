using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace KernelGen.FirstCall
{
    /// <summary>
    /// The methods the JIT compiled during one shape's call 1: a child runs with DOTNET_JitDisasmSummary=1 into a file,
    /// and the lines between the compilations of Child.FirstCallStart and Child.FirstCallEnd are call 1's (plus any
    /// background tier-up of earlier methods, which is marked as such). Printed largest first, with totals by tier.
    /// </summary>
    public static class JitListing
    {
        private static readonly Regex Line = new(@"JIT compiled (?<name>.+?) \[(?<tier>[^,\]]+)(?:, [^\]]*?)?IL size=(?<il>\d+), code size=(?<code>\d+)", RegexOptions.Compiled);

        public static void Print(int shape, int threads)
        {
            string file = Path.Combine(Path.GetTempPath(), $"kernelgen-firstcall-{Environment.ProcessId}.txt");
            try
            {
                Program.RunChild(
                    new[] { "--child", shape.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture), "--steady", "0" },
                    new Dictionary<string, string> { ["DOTNET_JitStdOutFile"] = file, ["DOTNET_JitDisasmSummary"] = "1" });
                string[] lines = File.ReadAllLines(file);
                int start = Array.FindIndex(lines, l => l.Contains("FirstCallStart", StringComparison.Ordinal));
                int end = Array.FindIndex(lines, l => l.Contains("FirstCallEnd", StringComparison.Ordinal));
                var methods = new List<(string Name, string Tier, int Il, int Code)>();
                for (int i = start + 1; i < (end < 0 ? lines.Length : end); i++)
                {
                    Match match = Line.Match(lines[i]);
                    if (match.Success)
                    {
                        methods.Add((match.Groups["name"].Value, match.Groups["tier"].Value, int.Parse(match.Groups["il"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["code"].Value, CultureInfo.InvariantCulture)));
                    }
                }

                Console.WriteLine($"{Shape.All[shape].Name}: {methods.Count} methods compiled during call 1, IL {methods.Sum(m => m.Il)} B, code {methods.Sum(m => m.Code)} B");
                foreach (var tier in methods.GroupBy(m => m.Tier).OrderByDescending(g => g.Sum(m => m.Code)))
                {
                    Console.WriteLine($"  {tier.Key,-28} {tier.Count(),4} methods, IL {tier.Sum(m => m.Il),7} B, code {tier.Sum(m => m.Code),7} B");
                }

                Console.WriteLine($"  {"code B",7} {"IL B",6}  tier / method");
                foreach (var method in methods.OrderByDescending(m => m.Code))
                {
                    Console.WriteLine($"  {method.Code,7} {method.Il,6}  {method.Tier} {method.Name}");
                }
            }
            finally
            {
                File.Delete(file);
            }
        }
    }
}
