using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>
    /// The name of the static <c>&lt;MethodName&gt;Spec</c> property a kernel gets (its <c>AttentionSpec</c>), or why it gets none.
    /// </summary>
    internal static partial class KernelParser
    {
        /// <summary>The suffix of the spec property's name: <c>Attend</c> gets <c>AttendSpec</c>.</summary>
        public const string SpecPropertySuffix = "Spec";

        /// <summary>
        /// The spec property's name, or empty (with KG0025) when that name is taken: a member of the containing type or
        /// an inherited one other than a kernel's spec property (a second declaration would be CS0102, hiding one CS0108),
        /// the containing type's own name (CS0542) or one of its type parameters, or a kernel overload of the same name (both
        /// would declare it). The kernel itself is still generated: a missing convenience never costs the user the kernel.
        /// <paramref name="hides"/> is set when the property hides a base kernel's spec property (it is then declared
        /// <c>new</c>: the derived kernel's spec is the right one to find under that name).
        /// </summary>
        private static string SpecPropertyName(MethodDeclarationSyntax syntax, IMethodSymbol method, List<DiagnosticInfo> diagnostics, out bool hides)
        {
            string name = method.Name + SpecPropertySuffix;
            string? clash = SpecPropertyClash(method, name, out hides);
            if (clash is null)
            {
                return name;
            }

            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SpecPropertyNotGenerated, LocationInfo.From(syntax.Identifier), name, method.Name, clash));
            hides = false;
            return string.Empty;
        }

        /// <summary>What already holds <paramref name="name"/> in the kernel's type, in words, or null when it is free.</summary>
        private static string? SpecPropertyClash(IMethodSymbol method, string name, out bool hides)
        {
            hides = false;
            INamedTypeSymbol type = method.ContainingType;
            if (type.Name == name)
            {
                return $"it is the name of the containing type '{type.Name}'";
            }

            if (type.TypeParameters.Any(p => p.Name == name))
            {
                return $"it is a type parameter of '{type.Name}'";
            }

            if (type.GetMembers(name).Any(static member => !member.IsImplicitlyDeclared))
            {
                return $"'{type.Name}' already declares a member named '{name}'";
            }

            if (type.GetMembers(method.Name).Count(static member => member is IMethodSymbol candidate && IsKernelDeclaration(candidate)) > 1)
            {
                return $"another kernel overload is also named '{method.Name}'";
            }

            for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
            {
                // Generated spec properties are not in the compilation the generator sees: a base kernel in source stands for its own.
                ISymbol[] inherited = baseType.GetMembers(name).Where(static member => member.DeclaredAccessibility != Accessibility.Private).ToArray();
                if (inherited.Length > 0)
                {
                    if (inherited.All(IsSpecProperty))
                    {
                        hides = true;
                        return null;
                    }

                    return $"it would hide the inherited member '{baseType.Name}.{name}'";
                }

                if (baseType.GetMembers(method.Name).OfType<IMethodSymbol>().Any(candidate => candidate.DeclaredAccessibility != Accessibility.Private
                    && IsKernelDeclaration(candidate) && SpecPropertyClash(candidate, name, out _) is null))
                {
                    hides = true;
                    return null;
                }
            }

            return null;
        }

        /// <summary>A partial definition carrying [AttentionKernel] (not its implementation part).</summary>
        private static bool IsKernelDeclaration(IMethodSymbol method) =>
            method.PartialDefinitionPart is null && method.GetAttributes().Any(static a => a.AttributeClass?.ToDisplayString() == KernelAttributeName);

        /// <summary>What a kernel's spec property looks like from outside (a base type in another assembly): static, an AttentionSpec.</summary>
        private static bool IsSpecProperty(ISymbol member) =>
            member is IPropertySymbol { IsStatic: true } property && property.Type.ToDisplayString() == "KernelGen.AttentionSpec";
    }
}
