using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Engine;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>
    /// Turns a method marked with [AttentionKernel] into a <see cref="KernelSpec"/> or diagnostics.
    /// It reads symbols and syntax and keeps neither: the result holds only values. It never writes source text.
    /// </summary>
    /// <remarks>
    /// This file holds the entry points and the order of the checks; each concern has its own file:
    /// <c>KernelParser.Declaration.cs</c> (partial method, containing types, namespace, doc comment),
    /// <c>KernelParser.Signature.cs</c> (the four spans and their element types),
    /// <c>KernelParser.Batch.cs</c> (Heads, KeyValueHeads, Layout),
    /// <c>KernelParser.RuntimeParameterBinding.cs</c> (the run-time parameters against <see cref="RuntimeParameters"/>, by
    /// attribute or name) and <c>KernelParser.RuntimeParameterConflicts.cs</c> (the combinations the runtime refuses),
    /// <c>KernelParser.Masks.cs</c> ([CausalMask], [SlidingWindow], [GlobalTokens]),
    /// <c>KernelParser.Scores.cs</c> (Scale, [Softcap], [Alibi]),
    /// <c>KernelParser.TensorForm.cs</c> (whether and how the tensor form is generated), and
    /// <see cref="AttributeArguments"/> (attribute argument values and their locations).
    /// </remarks>
    internal static partial class KernelParser
    {
        public const string KernelAttributeName = "KernelGen.AttentionKernelAttribute";
        public const string CausalAttributeName = "KernelGen.CausalMaskAttribute";
        public const string WindowAttributeName = "KernelGen.SlidingWindowAttribute";
        public const string GlobalAttributeName = "KernelGen.GlobalTokensAttribute";
        public const string SoftcapAttributeName = "KernelGen.SoftcapAttribute";
        public const string AlibiAttributeName = "KernelGen.AlibiAttribute";

        public const int MaxHeadDimension = 512;

        /// <summary>Parses one kernel method; any unexpected exception becomes a KG0999 diagnostic instead of a generator crash.</summary>
        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            try
            {
                return WithStub(ParseCore(context, cancellationToken), context, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception exception)
            {
                string name = (context.TargetSymbol as IMethodSymbol)?.Name ?? "?";
                DiagnosticInfo error = DiagnosticInfo.Create(
                    DiagnosticDescriptors.InternalError,
                    LocationInfo.From(context.TargetNode is MethodDeclarationSyntax method ? method.Identifier.GetLocation() : context.TargetNode.GetLocation()),
                    name,
                    exception.GetType().Name + ": " + exception.Message);
                return new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[] { error }));
            }
        }

        /// <summary>
        /// For a method carrying a mask attribute: a KG0012 warning when the method has no [AttentionKernel], else null.
        /// </summary>
        public static DiagnosticInfo? ParseOrphanMask(GeneratorAttributeSyntaxContext context, string attributeShortName, CancellationToken cancellationToken)
        {
            try
            {
                if (context.TargetSymbol is not IMethodSymbol method || HasAttribute(method, KernelAttributeName))
                {
                    return null;
                }

                AttributeData? attribute = context.Attributes.FirstOrDefault();
                LocationInfo? location = LocationInfo.From(attribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken))
                    ?? LocationInfo.From(context.TargetNode);
                return DiagnosticInfo.Create(DiagnosticDescriptors.MaskWithoutKernel, location, attributeShortName, method.Name);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(context.TargetNode), context.TargetSymbol.Name, exception.Message);
            }
        }

        /// <summary>1/sqrt(d), rounded once from double so every machine computes the same float.</summary>
        public static float DefaultScale(int headDimension) => (float)(1.0 / Math.Sqrt(headDimension));

        /// <summary>
        /// The checks in the order their diagnostics are reported: declaration, signature, [AttentionKernel], the batched
        /// form and its run-time parameters, the sibling attributes; then the spec, when nothing is an error.
        /// </summary>
        private static ParseResult ParseCore(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            if (context.TargetNode is not MethodDeclarationSyntax syntax || context.TargetSymbol is not IMethodSymbol method)
            {
                return Result(null, diagnostics);
            }

            string name = method.Name;
            if (!IsComplete(syntax))
            {
                // Half-typed declaration: the compiler reports the syntax error; there is nothing to generate yet.
                return Result(null, diagnostics);
            }

            if (syntax.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp11 } options)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LanguageVersionTooLow, LocationInfo.From(syntax.Identifier), name, options.LanguageVersion.ToDisplayString()));
                return Result(null, diagnostics);
            }

            CheckPartialDeclaration(syntax, method, diagnostics);
            List<ContainingTypeSpec>? containingTypes = ReadContainingTypes(syntax, name, diagnostics);
            if (containingTypes is null)
            {
                return Result(null, diagnostics);
            }

            CheckNotGeneric(syntax, method, diagnostics);
            if (method.ReturnType.TypeKind == TypeKind.Error || method.Parameters.Any(static p => p.Type.TypeKind == TypeKind.Error))
            {
                // A type does not resolve (a missing using, a typo): the compiler says so; a signature message would only confuse.
                return Result(null, diagnostics);
            }

            (string Query, string KeyValue, string Output) elements = ReadSignature(syntax, method, diagnostics);

            // [AttentionKernel(d, Scale = s, Heads = h, KeyValueHeads = kv, Layout = l)]
            AttributeData kernel = context.Attributes[0];
            if (!AttributeArguments.TryGetInt(kernel, 0, out int headDimension))
            {
                // The attribute does not bind (half-typed code): the compiler reports it; emit nothing.
                return Result(null, diagnostics);
            }

            if (headDimension < 1 || headDimension > MaxHeadDimension)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HeadDimensionOutOfRange, AttributeArguments.Location(kernel, 0, "headDimension", cancellationToken), headDimension));
            }

            float scale = ReadScale(kernel, diagnostics, cancellationToken);
            AttributeData? alibiAttribute = method.GetAttributes().FirstOrDefault(static a => a.AttributeClass?.ToDisplayString() == AlibiAttributeName);
            BatchSpec? batch = ReadBatch(method, syntax, kernel, alibiAttribute is not null, diagnostics, cancellationToken);
            bool singleHeadScale = CheckSingleHeadScale(method, syntax, batch, diagnostics, cancellationToken);
            CheckFixedParameterAttributes(method, syntax, batch, diagnostics, cancellationToken);
            CheckAlibiHasHeads(method, kernel, alibiAttribute, batch, diagnostics, cancellationToken);

            // The sibling attributes, in the order they are written: a score cap and the parts of the static mask.
            var masks = new MaskAttributes();
            float softcap = 0f;
            foreach (AttributeData attribute in method.GetAttributes())
            {
                bool bound = attribute.AttributeClass?.ToDisplayString() switch
                {
                    SoftcapAttributeName => TryReadSoftcap(attribute, ref softcap, diagnostics, cancellationToken),
                    CausalAttributeName => masks.ReadCausal(),
                    WindowAttributeName when !masks.HasWindow => masks.TryReadWindow(attribute, diagnostics, cancellationToken),
                    GlobalAttributeName when masks.GlobalAttribute is null => masks.TryReadGlobals(attribute, diagnostics, cancellationToken),
                    _ => true,
                };
                if (!bound)
                {
                    // An argument that does not bind (half-typed code): the compiler reports it; emit nothing.
                    return Result(null, diagnostics);
                }
            }

            masks.CheckCombination(name, diagnostics, cancellationToken);
            if (diagnostics.Any(static d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error))
            {
                return Result(null, diagnostics);
            }

            // The compiler already rejects the declaration itself (an instance method in a static class, a modifier
            // partial methods do not allow, ...): a generated body would only repeat that error inside generated code.
            // CS8795, "must have an implementation part", is the one error the generated body exists to resolve.
            if (context.SemanticModel.GetDeclarationDiagnostics(syntax.Span, cancellationToken)
                .Any(static d => d.DefaultSeverity == DiagnosticSeverity.Error && d.Id != "CS8795"))
            {
                return Result(null, diagnostics);
            }

            string specProperty = SpecPropertyName(syntax, method, diagnostics, out bool specPropertyHides);
            bool tensorForm = batch is not null && OffersTensorForm(context.SemanticModel.Compilation, method);
            var spec = new KernelSpec(
                method.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString(NamespaceFormat) : string.Empty,
                new EquatableArray<ContainingTypeSpec>(containingTypes),
                syntax.Identifier.Text,
                string.Join(" ", syntax.Modifiers.Where(static m => !m.IsKind(SyntaxKind.PartialKeyword)).Select(static m => m.Text)),
                new EquatableArray<string>(syntax.ParameterList.Parameters.Select(static p => p.Identifier.Text)),
                method.IsExtensionMethod,
                headDimension,
                scale == 0f ? DefaultScale(headDimension) : scale,
                scale == 0f,
                masks.ToSpec(),
                new EquatableArray<string>(DocumentationLines(syntax)),
                batch,
                tensorForm,
                ScoreOf(singleHeadScale || (batch?.Has(RuntimeParameterNames.Scale) ?? false), softcap, alibiAttribute is not null, batch),
                elements.Query,
                elements.KeyValue,
                elements.Output,
                tensorForm ? TensorFormModifiers(syntax, method, context.SemanticModel.Compilation) : string.Empty,
                specProperty,
                specPropertyHides);
            return Result(spec, diagnostics);
        }

        private static ParseResult Result(KernelSpec? spec, List<DiagnosticInfo> diagnostics) =>
            new(spec, new EquatableArray<DiagnosticInfo>(diagnostics));

        private static bool HasAttribute(IMethodSymbol method, string fullName) =>
            method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == fullName);
    }
}
