using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>The declaration around the signature: a partial method without a body, inside partial types, and its doc comment.</summary>
    internal static partial class KernelParser
    {
        /// <summary>Namespace names as C# source: dotted, keywords escaped with <c>@</c>.</summary>
        private static readonly SymbolDisplayFormat NamespaceFormat = new(
            globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

        /// <summary>Whether the method's name and every parameter's name and type are written (not a declaration being typed).</summary>
        private static bool IsComplete(MethodDeclarationSyntax syntax) =>
            !syntax.Identifier.IsMissing && !syntax.ParameterList.Parameters.Any(static p => p.Identifier.IsMissing || p.Type is null || p.Type.IsMissing);

        /// <summary>KG0001 unless the method is a partial declaration without a body (KernelGen writes the implementation part).</summary>
        private static void CheckPartialDeclaration(MethodDeclarationSyntax syntax, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
        {
            bool isPartial = syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
            if (!isPartial || syntax.Body is not null || syntax.ExpressionBody is not null || method.PartialImplementationPart is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodMustBePartialDeclaration, LocationInfo.From(syntax.Identifier), method.Name));
            }
        }

        /// <summary>
        /// The types around the method, outermost first, with KG0002 for an enclosing type that is not partial and KG0013
        /// for a file-local one; null when there is nothing to generate (a namespace or type name being typed, no type, or
        /// a method type that is not partial).
        /// </summary>
        /// <remarks>
        /// The method's own type, when not partial, gets no KG0002: the compiler already reports CS0751 on the method for
        /// exactly that mistake ("a partial member must be declared within a partial type"), an error no suppressor can
        /// remove, so KG0002 would only be a second message (docs/diagnostics/KG0002.md). An enclosing type further out is
        /// KG0002's case: the compiler accepts it, but no other file can add the kernel's body inside it.
        /// </remarks>
        private static List<ContainingTypeSpec>? ReadContainingTypes(MethodDeclarationSyntax syntax, string name, List<DiagnosticInfo> diagnostics)
        {
            bool ownTypeNotPartial = syntax.Parent is TypeDeclarationSyntax own && !own.Modifiers.Any(SyntaxKind.PartialKeyword);
            var containingTypes = new List<ContainingTypeSpec>();
            for (SyntaxNode? node = syntax.Parent; node is not null; node = node.Parent)
            {
                if (node is BaseNamespaceDeclarationSyntax { Name: var namespaceName } && (namespaceName.IsMissing || namespaceName.ContainsDiagnostics))
                {
                    // A namespace being typed: the symbol's namespace and the syntax disagree until it parses.
                    return null;
                }

                if (node is TypeDeclarationSyntax type)
                {
                    if (type.Identifier.IsMissing)
                    {
                        return null;
                    }

                    if (!type.Modifiers.Any(SyntaxKind.PartialKeyword) && type != syntax.Parent)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeMustBePartial, LocationInfo.From(type.Identifier), type.Identifier.ValueText, name));
                    }

                    if (type.Modifiers.Any(SyntaxKind.FileKeyword))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FileLocalContainingType, LocationInfo.From(type.Identifier), type.Identifier.ValueText, name));
                    }

                    containingTypes.Insert(0, new ContainingTypeSpec(
                        type.Modifiers.Any(SyntaxKind.RefKeyword) ? "ref" : string.Empty,
                        TypeKeyword(type),
                        type.Identifier.Text,
                        TypeParameters(type),
                        type.TypeParameterList?.Parameters.Count ?? 0));
                }
            }

            // Not inside a type: the compiler already reports this code as invalid; nor in a partial one (CS0751).
            return containingTypes.Count == 0 || ownTypeNotPartial ? null : containingTypes;
        }

        /// <summary>KG0004 for a method with type parameters.</summary>
        private static void CheckNotGeneric(MethodDeclarationSyntax syntax, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
        {
            if (method.TypeParameters.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethod, LocationInfo.From(syntax.TypeParameterList) ?? LocationInfo.From(syntax.Identifier), method.Name));
            }
        }

        private static string TypeKeyword(TypeDeclarationSyntax type)
        {
            string keyword = type switch
            {
                RecordDeclarationSyntax record when !record.ClassOrStructKeyword.IsKind(SyntaxKind.None) => "record " + record.ClassOrStructKeyword.Text,
                _ => type.Keyword.Text,
            };
            return keyword;
        }

        private static string TypeParameters(TypeDeclarationSyntax type)
        {
            if (type.TypeParameterList is not { Parameters.Count: > 0 } list)
            {
                return string.Empty;
            }

            var builder = new StringBuilder("<");
            for (int i = 0; i < list.Parameters.Count; i++)
            {
                TypeParameterSyntax parameter = list.Parameters[i];
                if (i > 0)
                {
                    builder.Append(", ");
                }

                if (!parameter.VarianceKeyword.IsKind(SyntaxKind.None))
                {
                    builder.Append(parameter.VarianceKeyword.Text).Append(' ');
                }

                builder.Append(parameter.Identifier.Text);
            }

            return builder.Append('>').ToString();
        }

        /// <summary>The method's <c>///</c> doc comment, one trimmed line each (empty when it has none).</summary>
        private static IEnumerable<string> DocumentationLines(MethodDeclarationSyntax syntax)
        {
            foreach (SyntaxTrivia trivia in syntax.GetLeadingTrivia())
            {
                if (!trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia))
                {
                    continue;
                }

                foreach (string line in trivia.ToFullString().Replace("\r\n", "\n").Split('\n'))
                {
                    string trimmed = line.Trim();
                    if (trimmed.Length > 0)
                    {
                        yield return trimmed.StartsWith("///", StringComparison.Ordinal) ? trimmed : "/// " + trimmed;
                    }
                }
            }
        }
    }
}
