using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Diagnostics
{
    /// <summary>Every diagnostic KernelGen reports. Each id has a row in AnalyzerReleases.Unshipped.md.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "KernelGen";

        public static readonly DiagnosticDescriptor MethodMustBePartialDeclaration = new(
            id: "KG0001",
            title: "Attention kernel must be a partial method without a body",
            messageFormat: "Attention kernel '{0}' must be declared 'partial' with no body; KernelGen generates the body",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor ContainingTypeMustBePartial = new(
            id: "KG0002",
            title: "Type containing an attention kernel must be partial",
            messageFormat: "Type '{0}' contains attention kernel '{1}' and must be declared 'partial'",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InvalidSignature = new(
            id: "KG0003",
            title: "Attention kernel has the wrong signature",
            messageFormat: "Attention kernel '{0}' has the wrong signature ({1}); declare it as 'partial void {0}(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output)'",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor GenericMethod = new(
            id: "KG0004",
            title: "Attention kernel must not be generic",
            messageFormat: "Attention kernel '{0}' must not have type parameters; the kernel is specialised for float",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor HeadDimensionOutOfRange = new(
            id: "KG0005",
            title: "Head dimension out of range",
            messageFormat: "Head dimension {0} is out of range; use a value from 1 to 512",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InvalidScale = new(
            id: "KG0006",
            title: "Invalid scale",
            messageFormat: "Scale {0} is invalid; use a finite value greater than 0, or 0 for the default 1/sqrt(d)",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NegativeWindowSide = new(
            id: "KG0007",
            title: "Negative sliding-window side",
            messageFormat: "Window {0} size {1} is invalid; use 0 or more",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor NegativeGlobalPosition = new(
            id: "KG0008",
            title: "Negative global position",
            messageFormat: "Global position {0} is invalid; use 0 or more",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor DuplicateGlobalPosition = new(
            id: "KG0009",
            title: "Duplicate global position",
            messageFormat: "Global position {0} is listed more than once; list each position once",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor GlobalTokensWithoutWindow = new(
            id: "KG0010",
            title: "Global tokens have no effect without a sliding window",
            messageFormat: "[GlobalTokens] on '{0}' has no effect without [SlidingWindow]: every key is already visible; add a window or remove the attribute",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WindowRightCutByCausal = new(
            id: "KG0011",
            title: "Window right side is cut by the causal mask",
            messageFormat: "Window right size {0} on '{1}' has no effect: the causal mask hides every key after the query; use [SlidingWindow({2}, 0)]",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor MaskWithoutKernel = new(
            id: "KG0012",
            title: "Mask attribute without [AttentionKernel]",
            messageFormat: "[{0}] on '{1}' has no effect without [AttentionKernel]; add [AttentionKernel(headDimension)] or remove it",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor FileLocalContainingType = new(
            id: "KG0013",
            title: "Attention kernel in a file-local type",
            messageFormat: "Type '{0}' containing attention kernel '{1}' is 'file'-local, so the generated part cannot join it; remove 'file' or move the kernel",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor LanguageVersionTooLow = new(
            id: "KG0014",
            title: "C# 11 or later is required",
            messageFormat: "Attention kernel '{0}' needs C# 11 or later (file-local types, static abstract members); the project uses C# {1}; raise <LangVersion>",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InternalError = new(
            id: "KG0999",
            title: "KernelGen internal error",
            messageFormat: "KernelGen could not generate '{0}': {1}; please report this",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);
    }
}
