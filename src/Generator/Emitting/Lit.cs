using System.Globalization;

namespace KernelGen.Generator.Emitting
{
    /// <summary>C# literals, culture-invariant and round-trippable: <c>0.125f</c>, never <c>0,125</c>.</summary>
    internal static class Lit
    {
        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A C# boolean literal.</summary>
        public static string Bool(bool value) => value ? "true" : "false";

        /// <summary>A float as a C# literal with an <c>f</c> suffix; infinities and NaN by name.</summary>
        public static string Float(float value)
        {
            if (float.IsNaN(value))
            {
                return "float.NaN";
            }

            if (float.IsPositiveInfinity(value))
            {
                return "float.PositiveInfinity";
            }

            if (float.IsNegativeInfinity(value))
            {
                return "float.NegativeInfinity";
            }

            return Number(value) + "f";
        }

        /// <summary>A float as plain invariant text (no suffix), for comments and messages.</summary>
        public static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>Text made safe inside an XML doc comment.</summary>
        public static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        /// <summary>A string as a C# regular string literal.</summary>
        public static string String(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
