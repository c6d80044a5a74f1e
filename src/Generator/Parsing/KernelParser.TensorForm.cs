using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>The tensor form of a batched kernel (ReadOnlyTensorSpan/TensorSpan): whether it is generated, and its modifiers.</summary>
    internal static partial class KernelParser
    {
        /// <summary>The System.Numerics.Tensors types a batched kernel's tensor form takes.</summary>
        private const string ReadOnlyTensorSpanName = "System.Numerics.Tensors.ReadOnlyTensorSpan`1", TensorSpanName = "System.Numerics.Tensors.TensorSpan`1";

        /// <summary>Whether a type is marked [Experimental], whose use the compiler reports as an error.</summary>
        private static bool IsExperimental(INamedTypeSymbol type) =>
            type.GetAttributes().Any(static a => a.AttributeClass?.ToDisplayString() == "System.Diagnostics.CodeAnalysis.ExperimentalAttribute");

        /// <summary>
        /// Whether to generate the tensor form beside a batched kernel: only when the compilation references
        /// System.Numerics.Tensors (the package is the user's choice, never ours), and the type does not already declare a
        /// method of that name whose first parameter is a tensor (the user's own overload wins).
        /// </summary>
        private static bool OffersTensorForm(Compilation compilation, IMethodSymbol method)
        {
            INamedTypeSymbol? readOnlyTensor = compilation.GetTypeByMetadataName(ReadOnlyTensorSpanName);
            INamedTypeSymbol? tensor = compilation.GetTypeByMetadataName(TensorSpanName);
            if (readOnlyTensor is null || tensor is null || IsExperimental(readOnlyTensor) || IsExperimental(tensor))
            {
                return false; // absent, or System.Numerics.Tensors 9.x, where the types are [Experimental] (SYSLIB5001 would fail the build)
            }

            foreach (ISymbol member in method.ContainingType.GetMembers(method.Name))
            {
                if (member is IMethodSymbol { Parameters.Length: > 0 } other &&
                    SymbolEqualityComparer.Default.Equals(other.Parameters[0].Type.OriginalDefinition, readOnlyTensor))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The modifiers of the generated tensor form: only the declaration's accessibility, <c>static</c> and
        /// <c>readonly</c>. What ties the span method to a base member (<c>override</c>, <c>new</c>, <c>virtual</c>,
        /// <c>sealed</c>, <c>abstract</c>) does not apply to the tensor form, which overrides and hides nothing, except
        /// <c>new</c> when a base type already has a method of the tensor form's signature (its own tensor form).
        /// </summary>
        private static string TensorFormModifiers(MethodDeclarationSyntax syntax, IMethodSymbol method, Compilation compilation)
        {
            var kept = new List<string>();
            if (TensorFormHidesInherited(method, compilation))
            {
                kept.Add("new");
            }

            foreach (SyntaxToken modifier in syntax.Modifiers)
            {
                if (modifier.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.ProtectedKeyword or SyntaxKind.InternalKeyword or SyntaxKind.PrivateKeyword
                    or SyntaxKind.StaticKeyword or SyntaxKind.ReadOnlyKeyword)
                {
                    kept.Add(modifier.Text);
                }
            }

            return string.Join(" ", kept);
        }

        /// <summary>
        /// Whether a base class has a visible method the tensor form would hide: a tensor form with the same parameters
        /// (e.g. from a referenced assembly), or a kernel in this compilation with the same span parameters, whose tensor
        /// form is generated beside it.
        /// </summary>
        private static bool TensorFormHidesInherited(IMethodSymbol method, Compilation compilation)
        {
            INamedTypeSymbol? readOnlyTensor = compilation.GetTypeByMetadataName(ReadOnlyTensorSpanName);
            INamedTypeSymbol? tensor = compilation.GetTypeByMetadataName(TensorSpanName);
            for (INamedTypeSymbol? type = method.ContainingType.BaseType; type is not null; type = type.BaseType)
            {
                foreach (ISymbol member in type.GetMembers(method.Name))
                {
                    if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } other || other.DeclaredAccessibility == Accessibility.Private)
                    {
                        continue;
                    }

                    bool sameSpans = other.Parameters.Length == method.Parameters.Length && HasAttribute(other, KernelAttributeName);
                    bool sameTensors = other.Parameters.Length == method.Parameters.Length - 1;
                    for (int i = 0; i < other.Parameters.Length && (sameSpans || sameTensors); i++)
                    {
                        ITypeSymbol theirs = other.Parameters[i].Type;
                        sameSpans &= SymbolEqualityComparer.Default.Equals(theirs, method.Parameters[i].Type);
                        sameTensors = sameTensors && (i < 4
                            ? theirs is INamedTypeSymbol { TypeArguments.Length: 1 } named && method.Parameters[i].Type is INamedTypeSymbol { TypeArguments.Length: 1 } span &&
                              SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, i < 3 ? readOnlyTensor : tensor) &&
                              SymbolEqualityComparer.Default.Equals(named.TypeArguments[0], span.TypeArguments[0])
                            : SymbolEqualityComparer.Default.Equals(theirs, method.Parameters[i + 1].Type));
                    }

                    if (sameSpans || sameTensors)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
