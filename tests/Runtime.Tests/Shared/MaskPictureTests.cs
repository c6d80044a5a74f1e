using System;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// The pictures in docs/masks/ are drawn from <see cref="AttentionSpec.IsAllowed"/>, the same rule the reference and
    /// every kernel obey, so they cannot drift from the semantics. A changed picture fails here and writes
    /// <c>name.received.svg</c>; <c>KERNELGEN_ACCEPT=1 dotnet test tests/Runtime.Tests --filter MaskPictureTests</c> rewrites them.
    /// </summary>
    public sealed class MaskPictureTests
    {
        public static TheoryData<string, string, int, int, AttentionSpec> Pictures() => new()
        {
            { "full", "No mask", 12, 12, new AttentionSpec(1) },
            { "causal", "[CausalMask]", 12, 12, new AttentionSpec(1, causal: true) },
            { "causal-decode", "[CausalMask], Nq = 4 < Nk = 12 (bottom-right)", 4, 12, new AttentionSpec(1, causal: true) },
            { "causal-more-queries", "[CausalMask], Nq = 12 > Nk = 8", 12, 8, new AttentionSpec(1, causal: true) },
            { "window", "[SlidingWindow(2, 2)]", 12, 12, new AttentionSpec(1, window: new AttentionWindow(2, 2)) },
            { "window-asymmetric", "[SlidingWindow(3, 1)]", 12, 12, new AttentionSpec(1, window: new AttentionWindow(3, 1)) },
            { "causal-window", "[CausalMask] + [SlidingWindow(3, 0)]", 12, 12, new AttentionSpec(1, causal: true, window: new AttentionWindow(3, 0)) },
            { "window-globals", "[SlidingWindow(2, 2)] + [GlobalTokens(0, 7)]", 12, 12, new AttentionSpec(1, window: new AttentionWindow(2, 2), globalPositions: new[] { 0, 7 }) },
            { "causal-window-sinks", "[CausalMask] + [SlidingWindow(3, 0)] + [GlobalTokens(0, 1)]", 12, 12, new AttentionSpec(1, causal: true, window: new AttentionWindow(3, 0), globalPositions: new[] { 0, 1 }) },
        };

        [Theory]
        [MemberData(nameof(Pictures))]
        public void Picture_MatchesDocs(string name, string title, int queries, int keys, AttentionSpec spec)
        {
            string svg = Render(title, queries, keys, spec);
            string directory = Path.Combine(RepositoryRoot(), "docs", "masks");
            string verified = Path.Combine(directory, name + ".svg");
            string received = Path.Combine(directory, name + ".received.svg");
            if (Environment.GetEnvironmentVariable("KERNELGEN_ACCEPT") == "1")
            {
                File.WriteAllText(verified, svg);
                File.Delete(received);
                return;
            }

            if (File.Exists(verified) && File.ReadAllText(verified) == svg)
            {
                File.Delete(received);
                return;
            }

            File.WriteAllText(received, svg);
            Assert.Fail($"{verified} differs from the picture the reference draws; see {received}, rerun with KERNELGEN_ACCEPT=1 to accept.");
        }

        /// <summary>An SVG grid: rows are queries, columns keys; dark cells are computed, light cells never touched.</summary>
        internal static string Render(string title, int queries, int keys, AttentionSpec spec)
        {
            const int cell = 18;
            const int left = 34;
            const int top = 44;
            string legend = Invariant($"keys j = 0 .. {keys - 1} \u2192   queries i \u2193   (dark: computed)");
            // Wide enough for the grid and for the text (about 7.5 px per bold character, 6.5 per plain one).
            int width = Math.Max(left + keys * cell + 12, left + Math.Max((int)(title.Length * 7.5), (int)(legend.Length * 6.5)) + 12);
            int height = top + queries * cell + 12;
            var svg = new StringBuilder();
            svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n"));
            svg.Append(Invariant($"  <title>{Escape(title)}</title>\n"));
            svg.Append(Invariant($"  <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n"));
            svg.Append(Invariant($"  <text x=\"{left}\" y=\"14\" font-size=\"12\" font-weight=\"bold\">{Escape(title)}</text>\n"));
            svg.Append(Invariant($"  <text x=\"{left}\" y=\"30\" fill=\"#555555\">{legend}</text>\n"));
            for (int i = 0; i < queries; i++)
            {
                svg.Append(Invariant($"  <text x=\"{left - 6}\" y=\"{top + i * cell + 13}\" text-anchor=\"end\" fill=\"#555555\">{i}</text>\n"));
                for (int j = 0; j < keys; j++)
                {
                    string fill = spec.IsAllowed(i, j, queries, keys) ? "#1f4e9c" : "#e8eaee";
                    svg.Append(Invariant($"  <rect x=\"{left + j * cell}\" y=\"{top + i * cell}\" width=\"{cell - 2}\" height=\"{cell - 2}\" fill=\"{fill}\"/>\n"));
                }
            }

            svg.Append("</svg>\n");
            return svg.ToString();
        }

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

        private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        /// <summary>The directory holding KernelGen.sln above this file (found, not counted, so the file can change folders).</summary>
        private static string RepositoryRoot([CallerFilePath] string path = "")
        {
            for (DirectoryInfo? directory = new FileInfo(path).Directory; directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "KernelGen.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No KernelGen.sln above {path}.");
        }
    }
}
