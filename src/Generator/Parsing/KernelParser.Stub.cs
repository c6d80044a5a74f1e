using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>
    /// One error per mistake: for a declaration with a KernelGen error, the throwing implementation part that keeps the
    /// compiler from adding CS8795 ("partial method must have an implementation part"), when one can be written.
    /// </summary>
    internal static partial class KernelParser
    {
        /// <summary>Types as the stub writes them: fully qualified, keywords escaped, nullable annotations kept (both parts must agree).</summary>
        private static readonly SymbolDisplayFormat StubTypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>
        /// The stub for a result with a KG error, or the result unchanged. None is written when it could not help or would
        /// add an error: the method is not a partial definition without a body or already has an implementation part
        /// (KG0001: a second part would be CS0111/CS0757), a containing type is not partial (KG0002: no other file can add
        /// to it) or is file-local (KG0013), the declaration is half-typed, a type in the signature does not resolve, or the
        /// compiler already rejects the declaration itself (its own error stands; a stub would only repeat it).
        /// </summary>
        private static ParseResult WithStub(ParseResult result, GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            string[] errorIds = result.Diagnostics.Where(static d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error && d.Descriptor.Id != "KG0999")
                .Select(static d => d.Descriptor.Id).Distinct().OrderBy(static id => id, System.StringComparer.Ordinal).ToArray();
            if (result.Spec is not null || errorIds.Length == 0
                || context.TargetNode is not MethodDeclarationSyntax syntax || context.TargetSymbol is not IMethodSymbol method
                || !IsComplete(syntax) || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword) || syntax.Body is not null || syntax.ExpressionBody is not null
                || method.PartialImplementationPart is not null || method.PartialDefinitionPart is not null
                || syntax.ParameterList.Parameters.Count != method.Parameters.Length
                || Unresolved(method.ReturnType) || method.Parameters.Any(static p => Unresolved(p.Type))
                || method.TypeParameters.Any(static t => t.ConstraintTypes.Any(Unresolved))
                || StubContainingTypes(syntax) is not { } containingTypes)
            {
                return result;
            }

            if (context.SemanticModel.GetDeclarationDiagnostics(syntax.Span, cancellationToken)
                .Any(static d => d.DefaultSeverity == DiagnosticSeverity.Error && d.Id != "CS8795"))
            {
                return result;
            }

            string ns = method.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString(NamespaceFormat) : string.Empty;
            string displayName = (ns.Length > 0 ? ns + "." : string.Empty) + string.Concat(containingTypes.Select(static t => t.Name + t.TypeParameters + ".")) + method.Name;
            string declaration = StubDeclaration(syntax, method);
            var stub = new StubSpec(
                ns,
                new EquatableArray<ContainingTypeSpec>(containingTypes),
                declaration,
                new EquatableArray<string>(method.TypeParameters.Select(ConstraintClause).Where(static c => c.Length > 0)),
                string.Join(", ", errorIds),
                displayName,
                syntax.SyntaxTree.Options is not CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp8 },
                StubHintName(ns, containingTypes, method.Name, declaration));
            return result with { Stub = stub };
        }

        private static bool Unresolved(ITypeSymbol type) => type.TypeKind == TypeKind.Error;

        /// <summary>The containing types for another partial part, or null when one is not partial or is file-local.</summary>
        private static List<ContainingTypeSpec>? StubContainingTypes(MethodDeclarationSyntax syntax)
        {
            var types = new List<ContainingTypeSpec>();
            for (SyntaxNode? node = syntax.Parent; node is not null; node = node.Parent)
            {
                if (node is BaseNamespaceDeclarationSyntax { Name: var name } && (name.IsMissing || name.ContainsDiagnostics))
                {
                    return null;
                }

                if (node is TypeDeclarationSyntax type)
                {
                    if (type.Identifier.IsMissing || !type.Modifiers.Any(SyntaxKind.PartialKeyword) || type.Modifiers.Any(SyntaxKind.FileKeyword))
                    {
                        return null;
                    }

                    types.Insert(0, new ContainingTypeSpec(type.Modifiers.Any(SyntaxKind.RefKeyword) ? "ref" : string.Empty, TypeKeyword(type), type.Identifier.Text,
                        TypeParameters(type), type.TypeParameterList?.Parameters.Count ?? 0));
                }
            }

            return types.Count == 0 ? null : types;
        }

        /// <summary>
        /// The implementation part's header: the modifiers as written (<c>partial</c> last, where C# 7.3 requires it), the
        /// return type, name and type parameters, and each parameter's modifiers as written (this, params, scoped, ref,
        /// out, in, readonly) with its type fully qualified (the generated file has none of the user's usings).
        /// </summary>
        private static string StubDeclaration(MethodDeclarationSyntax syntax, IMethodSymbol method)
        {
            var builder = new StringBuilder();
            foreach (SyntaxToken modifier in syntax.Modifiers.Where(static m => !m.IsKind(SyntaxKind.PartialKeyword)))
            {
                builder.Append(modifier.Text).Append(' ');
            }

            builder.Append("partial ");
            builder.Append(method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : string.Empty);
            builder.Append(method.ReturnType.ToDisplayString(StubTypeFormat)).Append(' ').Append(syntax.Identifier.Text);
            if (method.TypeParameters.Length > 0)
            {
                builder.Append('<').Append(string.Join(", ", syntax.TypeParameterList!.Parameters.Select(static p => p.Identifier.Text))).Append('>');
            }

            builder.Append('(');
            for (int i = 0; i < method.Parameters.Length; i++)
            {
                ParameterSyntax parameter = syntax.ParameterList.Parameters[i];
                if (i > 0)
                {
                    builder.Append(", ");
                }

                foreach (SyntaxToken modifier in parameter.Modifiers)
                {
                    builder.Append(modifier.Text).Append(' ');
                }

                builder.Append(method.Parameters[i].Type.ToDisplayString(StubTypeFormat)).Append(' ').Append(parameter.Identifier.Text);
            }

            return builder.Append(')').ToString();
        }

        /// <summary>A type parameter's constraint clause in the order C# requires, or empty when it has none.</summary>
        private static string ConstraintClause(ITypeParameterSymbol parameter)
        {
            var constraints = new List<string>();
            if (parameter.HasReferenceTypeConstraint)
            {
                constraints.Add(parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
            }
            else if (parameter.HasUnmanagedTypeConstraint)
            {
                constraints.Add("unmanaged");
            }
            else if (parameter.HasValueTypeConstraint)
            {
                constraints.Add("struct");
            }
            else if (parameter.HasNotNullConstraint)
            {
                constraints.Add("notnull");
            }

            constraints.AddRange(parameter.ConstraintTypes.Select(static t => t.ToDisplayString(StubTypeFormat)));
            if (parameter.HasConstructorConstraint)
            {
                constraints.Add("new()");
            }

            if (parameter.AllowsRefLikeType)
            {
                constraints.Add("allows ref struct");
            }

            return constraints.Count == 0 ? string.Empty : $"where {parameter.Name} : {string.Join(", ", constraints)}";
        }

        /// <summary>
        /// <c>App.Kernels.Attend.1a2b3c4d.Invalid.g.cs</c>: the readable name, cut if long, and the hash of the whole
        /// declaration, so overloads get distinct files and the name never collides with a kernel's.
        /// </summary>
        private static string StubHintName(string ns, List<ContainingTypeSpec> types, string name, string declaration)
        {
            var builder = new StringBuilder();
            if (ns.Length > 0)
            {
                KernelPlanner.AppendSafe(builder, ns.Replace("@", string.Empty), allowDots: true);
                builder.Append('.');
            }

            foreach (ContainingTypeSpec type in types)
            {
                KernelPlanner.AppendSafe(builder, type.Name.TrimStart('@'), allowDots: false);
                builder.Append(type.Arity > 0 ? "`" + type.Arity.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty).Append('+');
            }

            builder.Length--;
            builder.Append('.');
            KernelPlanner.AppendSafe(builder, name, allowDots: false);
            if (builder.Length > KernelPlanner.MaxHintStemLength)
            {
                builder.Length = KernelPlanner.MaxHintStemLength;
            }

            return builder.Append('.').Append(KernelPlanner.Fnv1a(string.Join("|", ns, string.Concat(types.Select(static t => t.Name + t.TypeParameters + ".")), declaration)))
                .Append(".Invalid.g.cs").ToString();
        }
    }
}
