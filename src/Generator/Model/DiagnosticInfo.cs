using System.Linq;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Model
{
    /// <summary>A diagnostic by value: descriptor, location and message arguments, turned into a <see cref="Diagnostic"/> only when reported.</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] arguments)
        {
            string[] text = new string[arguments.Length];
            for (int i = 0; i < arguments.Length; i++)
            {
                text[i] = arguments[i] switch
                {
                    float value => Emitting.Lit.Number(value),
                    int value => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => arguments[i]?.ToString() ?? string.Empty,
                };
            }

            return new DiagnosticInfo(descriptor, location, new EquatableArray<string>(text));
        }

        /// <summary>
        /// Creates the diagnostic, placed in the compilation's own syntax tree when the file is part of it, so that
        /// <c>#pragma warning disable</c> and editor squiggles work as for any compiler diagnostic.
        /// </summary>
        public Diagnostic ToDiagnostic(Compilation? compilation = null)
        {
            Location? location = Location?.ToLocation();
            if (Location is not null && compilation is not null)
            {
                // Only an unambiguous match: several in-memory trees may share an empty path.
                SyntaxTree[] trees = compilation.SyntaxTrees.Where(t => t.FilePath == Location.FilePath).Take(2).ToArray();
                if (trees.Length == 1 && Location.Span.End <= trees[0].Length)
                {
                    location = Microsoft.CodeAnalysis.Location.Create(trees[0], Location.Span);
                }
            }

            return Diagnostic.Create(Descriptor, location, Arguments.Select(static a => (object?)a).ToArray());
        }
    }
}
