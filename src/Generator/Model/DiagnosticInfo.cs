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

        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(Descriptor, Location?.ToLocation(), Arguments.Select(static a => (object?)a).ToArray());
    }
}
