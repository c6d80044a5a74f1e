using System.Linq;
using System.Threading;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Parsing
{
    /// <summary>
    /// An attribute's argument values as bound, and where each is written, so a diagnostic lands on the offending
    /// argument (the <c>-3</c> in <c>[SlidingWindow(-3)]</c>), else on the attribute.
    /// </summary>
    internal static class AttributeArguments
    {
        /// <summary>Constructor argument <paramref name="index"/> as an int; false when the attribute does not bind or the argument is not an int.</summary>
        public static bool TryGetInt(AttributeData attribute, int index, out int value)
        {
            value = 0;
            if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Length <= index)
            {
                return false;
            }

            if (attribute.ConstructorArguments[index].Value is int number)
            {
                value = number;
                return true;
            }

            return false;
        }

        /// <summary>The expression of a constructor argument (by name if named, else by position), else the attribute.</summary>
        public static LocationInfo? Location(AttributeData attribute, int position, string parameterName, CancellationToken cancellationToken)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
            {
                return null;
            }

            if (syntax.ArgumentList is { } list)
            {
                foreach (AttributeArgumentSyntax argument in list.Arguments)
                {
                    if (argument.NameColon?.Name.Identifier.ValueText == parameterName)
                    {
                        return LocationInfo.From(argument.Expression);
                    }
                }

                int index = 0;
                foreach (AttributeArgumentSyntax argument in list.Arguments)
                {
                    if (argument.NameEquals is null && argument.NameColon is null && index++ == position)
                    {
                        return LocationInfo.From(argument.Expression);
                    }
                }
            }

            return LocationInfo.From(syntax);
        }

        /// <summary>The expression of a named argument (a property, <c>Scale = ...</c>), else the attribute.</summary>
        public static LocationInfo? NamedLocation(AttributeData attribute, string propertyName, CancellationToken cancellationToken)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
            {
                return null;
            }

            AttributeArgumentSyntax? argument = syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == propertyName);
            return LocationInfo.From(argument?.Expression) ?? LocationInfo.From(syntax);
        }

        /// <summary>The syntax of element <paramref name="index"/> of a params array argument, written inline or as an array.</summary>
        public static LocationInfo? ElementLocation(AttributeData attribute, int index, int count, CancellationToken cancellationToken)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax || syntax.ArgumentList is not { } list)
            {
                return null;
            }

            var positional = list.Arguments.Where(static a => a.NameEquals is null && a.NameColon is null).ToList();
            if (positional.Count == count && !(count == 1 && IsArrayExpression(positional[0].Expression)))
            {
                return LocationInfo.From(positional[index].Expression);
            }

            if (positional.Count == 1)
            {
                SeparatedSyntaxList<ExpressionSyntax>? elements = positional[0].Expression switch
                {
                    ArrayCreationExpressionSyntax array => array.Initializer?.Expressions,
                    ImplicitArrayCreationExpressionSyntax array => array.Initializer.Expressions,
                    _ => null,
                };
                if (elements is { } items && items.Count == count)
                {
                    return LocationInfo.From(items[index]);
                }

                if (positional[0].Expression is CollectionExpressionSyntax collection && collection.Elements.Count == count)
                {
                    return LocationInfo.From(collection.Elements[index]);
                }
            }

            return LocationInfo.From(syntax);
        }

        private static bool IsArrayExpression(ExpressionSyntax expression) =>
            expression is ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax or CollectionExpressionSyntax;
    }
}
