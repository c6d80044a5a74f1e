using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace KernelGen.FirstCall
{
    /// <summary>
    /// Where the JIT spends call 1: the release JIT of .NET 10 writes one CSV row per compiled method to
    /// DOTNET_JitTimeLogCsv (cycles per phase, inlines, IL and code bytes). The rows between Child.FirstCallStart and
    /// Child.FirstCallEnd are call 1's. Logging slows the JIT, so the times are shares, for ranking; the bench's own
    /// table gives the absolute figures. Heaviest methods first, with their inline counts and their costliest phases.
    /// </summary>
    public static class JitPhases
    {
        public static void Print(int shape, int threads, int top)
        {
            string file = Path.Combine(Path.GetTempPath(), $"kernelgen-firstcall-{Environment.ProcessId}.csv");
            try
            {
                Program.RunChild(
                    new[] { "--child", shape.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture), "--steady", "0" },
                    new Dictionary<string, string> { ["DOTNET_JitTimeLogCsv"] = file });
                string[][] rows = File.ReadAllLines(file).Select(Split).ToArray();
                var column = rows[0].Select((name, index) => (name, index)).ToDictionary(c => c.name, c => c.index);
                string[][] methods = rows.Skip(1).SkipWhile(r => !r[0].Contains("FirstCallStart", StringComparison.Ordinal)).Skip(1)
                    .TakeWhile(r => !r[0].Contains("FirstCallEnd", StringComparison.Ordinal)).ToArray();
                double Ms(string[] row, string name) => double.Parse(row[column[name]], CultureInfo.InvariantCulture) / double.Parse(row[column["CPS"]], CultureInfo.InvariantCulture) * 1000;
                int Int(string[] row, string name) => int.Parse(row[column[name]], CultureInfo.InvariantCulture);
                double total = methods.Sum(r => Ms(r, "Total Cycles"));
                Console.WriteLine($"{Shape.All[shape].Name}: {methods.Length} methods during call 1, {methods.Count(r => r[column["Min Opts"]] == "1")} at tier 0; " +
                    $"JIT {total:F1} ms under logging; inlines {methods.Sum(r => Int(r, "InlineSuccess"))}");
                string[] phases = rows[0].Skip(column["Pre-import"]).TakeWhile(n => n != "InlineCount" && !n.StartsWith("Inline", StringComparison.Ordinal)).ToArray();
                foreach (string[] row in methods.OrderByDescending(r => Ms(r, "Total Cycles")).Take(top))
                {
                    string heaviest = string.Join(", ", phases.Where(column.ContainsKey).Select(p => (p, ms: Ms(row, p))).OrderByDescending(p => p.ms).Take(3).Select(p => $"{p.p} {p.ms:F1}"));
                    Console.WriteLine($"  {Ms(row, "Total Cycles") / total,6:P1} {(row[column["Min Opts"]] == "1" ? "tier0" : "opt  ")} IL {Int(row, "IL Bytes"),5} inlines {Int(row, "InlineSuccess"),4} code {Int(row, "Executable Code Bytes"),5}  {Shorten(row[0])}");
                    Console.WriteLine($"         {heaviest}");
                }
            }
            finally
            {
                File.Delete(file);
            }
        }

        /// <summary>One CSV line; the method names are quoted and hold commas.</summary>
        private static string[] Split(string line)
        {
            var fields = new List<string>();
            var current = new System.Text.StringBuilder();
            bool quoted = false;
            foreach (char c in line)
            {
                if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (c == ',' && !quoted)
                {
                    fields.Add(current.ToString());
                    current.Clear();
                }
                else
                {
                    current.Append(c);
                }
            }

            fields.Add(current.ToString());
            return fields.ToArray();
        }

        private static string Shorten(string name)
        {
            name = Regex.Replace(name, @"<KernelGen_FirstCall_Kernels_\w+_g>\w+__", "");
            name = Regex.Replace(name, @"KernelGen\.(Engine|Generated)\.", "");
            name = Regex.Replace(name, @"Vector(\d+)Path`1\[\w+Kernel\+Head\],\w+Kernel\+Mask,(\w+)", "Vector$1Path,Mask,$2");
            int parameters = name.IndexOf('(');
            return parameters < 0 ? name : name.Substring(0, parameters);
        }
    }
}
