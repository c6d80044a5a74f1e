using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Diagnostics
{
    /// <summary>Every diagnostic KernelGen reports. Each id has a row in AnalyzerReleases.Unshipped.md.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "KernelGen";

        /// <summary>
        /// Where docs/diagnostics/KGxxxx.md is published; each descriptor's help link is this plus its id. Written at
        /// build time from the repository address (Directory.Build.props), which the package metadata also uses.
        /// </summary>
        public const string HelpLinkBase = RepositoryLinks.DiagnosticsBase;

        public static readonly DiagnosticDescriptor MethodMustBePartialDeclaration = Create(
            "KG0001",
            "Attention kernel must be a partial method without a body",
            "Attention kernel '{0}' must be declared 'partial' with no body; KernelGen generates the body",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor ContainingTypeMustBePartial = Create(
            "KG0002",
            "Type containing an attention kernel must be partial",
            "Type '{0}' contains attention kernel '{1}' and must be declared 'partial'",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InvalidSignature = Create(
            "KG0003",
            "Attention kernel has the wrong signature",
            "Attention kernel '{0}' has the wrong signature: {1}; declare it as 'partial void {0}({2})'",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor GenericMethod = Create(
            "KG0004",
            "Attention kernel must not be generic",
            "Attention kernel '{0}' must not have type parameters; the kernel is specialised for float",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor HeadDimensionOutOfRange = Create(
            "KG0005",
            "Head dimension out of range",
            "Head dimension {0} is out of range; use a value from 1 to 512",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InvalidScale = Create(
            "KG0006",
            "Invalid scale",
            "Scale {0} is invalid; use a finite value greater than 0, or 0 for the default 1/sqrt(d)",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor NegativeWindowSide = Create(
            "KG0007",
            "Negative sliding-window side",
            "Window {0} size {1} is invalid; use 0 or more",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor NegativeGlobalPosition = Create(
            "KG0008",
            "Negative global position",
            "Global position {0} is invalid; use 0 or more",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor DuplicateGlobalPosition = Create(
            "KG0009",
            "Duplicate global position",
            "Global position {0} is listed more than once; list each position once",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor GlobalTokensWithoutWindow = Create(
            "KG0010",
            "Global tokens have no effect without a sliding window",
            "[GlobalTokens] on '{0}' has no effect without [SlidingWindow]: every key is already visible; add a window or remove the attribute",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor WindowRightCutByCausal = Create(
            "KG0011",
            "Window right side is cut by the causal mask",
            "Window right size {0} on '{1}' has no effect: the causal mask hides every key after the query; use [SlidingWindow({2}, 0)]",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor MaskWithoutKernel = Create(
            "KG0012",
            "Mask attribute without [AttentionKernel]",
            "[{0}] on '{1}' has no effect without [AttentionKernel]; add [AttentionKernel(headDimension)] or remove it",
            DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor FileLocalContainingType = Create(
            "KG0013",
            "Attention kernel in a file-local type",
            "Type '{0}' containing attention kernel '{1}' is 'file'-local, so the generated part cannot join it; remove 'file' or move the kernel",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor LanguageVersionTooLow = Create(
            "KG0014",
            "C# 11 or later is required",
            "Attention kernel '{0}' needs C# 11 or later (file-local types, static abstract members); the project uses C# {1}; raise <LangVersion>",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor UnknownRuntimeParameter = Create(
            "KG0015",
            "Unknown or conflicting run-time parameter",
            "Parameter '{0}' of '{1}' {2}",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InvalidHeads = Create(
            "KG0017",
            "Invalid head count",
            "Heads {0} is invalid; use 1 to 4194303 (a position's Heads x 512 floats must fit one span)",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InvalidKeyValueHeads = Create(
            "KG0018",
            "Key/value heads must divide the query heads",
            "KeyValueHeads {0} is invalid with Heads = {1}; use a divisor of {1} (1 for multi-query attention, {1} for plain multi-head)",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InvalidLayout = Create(
            "KG0019",
            "Invalid layout",
            "Layout {0} is not an AttentionLayout value; use AttentionLayout.BatchSeqHeadDim or AttentionLayout.BatchHeadSeqDim",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor MultiHeadWithoutBatch = Create(
            "KG0020",
            "Multi-head kernel without a batch parameter",
            "'{0}' sets {1}, which declares a batched multi-head kernel, but takes no 'int batch' parameter after its output span; add 'int batch' or remove {1}",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor PackedNeedsSequenceLayout = Create(
            "KG0021",
            "Packed sequences need the BatchSeqHeadDim layout",
            "'{0}' takes {1}, whose packed spans are [total, H, d], but sets Layout = BatchHeadSeqDim; remove the Layout argument or {1}",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InvalidSoftcap = Create(
            "KG0022",
            "Invalid softcap",
            "Softcap {0} is invalid; the cap must be finite and greater than 0, with a finite reciprocal (Gemma 2 uses 50)",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor AlibiNeedsHeads = Create(
            "KG0023",
            "ALiBi needs a batched kernel with Heads",
            "'{0}' has [Alibi] but {1}; ALiBi slopes are per query head, so declare 'int batch' after the output span and name Heads in [AttentionKernel]",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor MixedKeyValueTypes = Create(
            "KG0024",
            "Key and value element types differ",
            "'{0}' takes key as '{1}' but value as '{2}'; keys and values are one cache and must have one element type (float, System.Half or KernelGen.BFloat16)",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor SpecPropertyNotGenerated = Create(
            "KG0025",
            "Spec property not generated",
            "No '{0}' property is generated for attention kernel '{1}': {2}; rename the kernel or the other member, or build the spec with AttentionSpec.FromAttributes (the kernel itself is generated)",
            // Info, not Warning: the property came after users' code existed, and a new warning would break a build
            // with warnings as errors that compiled before (a member of that name, or overloaded kernels).
            DiagnosticSeverity.Info);

        public static readonly DiagnosticDescriptor DuplicateRuntimeParameter = Create(
            "KG0030",
            "Run-time parameter bound twice",
            "Parameter '{0}' of '{1}' binds run-time parameter '{2}', which parameter {3} '{4}' already binds; remove one of the two",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor MisplacedRuntimeAttribute = Create(
            "KG0031",
            "Run-time parameter attribute that cannot bind",
            "[{0}] on parameter '{1}' of '{2}' {3}",
            DiagnosticSeverity.Error);

        public static readonly DiagnosticDescriptor InternalError = Create(
            "KG0999",
            "KernelGen internal error",
            "KernelGen could not generate '{0}': {1}; please report this",
            DiagnosticSeverity.Error);

        private static DiagnosticDescriptor Create(string id, string title, string messageFormat, DiagnosticSeverity severity) =>
            new(id, title, messageFormat, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
    }
}
