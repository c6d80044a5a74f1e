using System.Collections.Generic;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Parsing
{
    /// <summary>The static mask: [CausalMask], [SlidingWindow] and [GlobalTokens], read into a <see cref="MaskSpec"/>.</summary>
    internal static partial class KernelParser
    {
        /// <summary>
        /// The mask attributes of one method as they are read, in the order they are written (the first window and the
        /// first global list count; the compiler reports a repeated attribute). Lives only while one method is parsed.
        /// </summary>
        private sealed class MaskAttributes
        {
            private readonly List<int> _globals = new();
            private bool _causal;
            private int _left;
            private int _right;
            private AttributeData? _windowAttribute;

            public bool HasWindow => _windowAttribute is not null;

            public AttributeData? GlobalAttribute { get; private set; }

            /// <summary>[CausalMask] takes no argument: it always binds.</summary>
            public bool ReadCausal()
            {
                _causal = true;
                return true;
            }

            /// <summary>
            /// [SlidingWindow(radius)] or [SlidingWindow(left, right)], with KG0007 for a negative side; false when an
            /// argument does not bind.
            /// </summary>
            public bool TryReadWindow(AttributeData attribute, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
            {
                if (!AttributeArguments.TryGetInt(attribute, 0, out int left))
                {
                    return false;
                }

                int right;
                bool symmetric = attribute.ConstructorArguments.Length == 1;
                if (symmetric)
                {
                    right = left;
                }
                else if (!AttributeArguments.TryGetInt(attribute, 1, out right))
                {
                    return false;
                }

                _left = left;
                _right = right;
                _windowAttribute = attribute;
                if (left < 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativeWindowSide, AttributeArguments.Location(attribute, 0, symmetric ? "radius" : "left", cancellationToken), symmetric ? "radius" : "left", left));
                }

                if (right < 0 && !symmetric)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativeWindowSide, AttributeArguments.Location(attribute, 1, "right", cancellationToken), "right", right));
                }

                return true;
            }

            /// <summary>
            /// [GlobalTokens(positions)], with KG0008 for a negative position and KG0009 for a repeated one (each on its
            /// element); false when the argument does not bind.
            /// </summary>
            public bool TryReadGlobals(AttributeData attribute, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
            {
                GlobalAttribute = attribute;
                if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
                {
                    return false;
                }

                TypedConstant array = attribute.ConstructorArguments[0];
                int count = array.IsNull ? 0 : array.Values.Length;
                var seen = new HashSet<int>();
                for (int i = 0; i < count; i++)
                {
                    if (array.Values[i].Value is not int position)
                    {
                        return false;
                    }

                    if (position < 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativeGlobalPosition, AttributeArguments.ElementLocation(attribute, i, count, cancellationToken), position));
                    }
                    else if (!seen.Add(position))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateGlobalPosition, AttributeArguments.ElementLocation(attribute, i, count, cancellationToken), position));
                    }
                    else
                    {
                        _globals.Add(position);
                    }
                }

                return true;
            }

            /// <summary>KG0010 for global tokens without a window, KG0011 for a window's right side that causal masking cuts off.</summary>
            public void CheckCombination(string name, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
            {
                if (GlobalAttribute is not null && !HasWindow)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GlobalTokensWithoutWindow, LocationInfo.From(GlobalAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)), name));
                }

                if (_causal && _windowAttribute is not null && _right > 0)
                {
                    bool symmetric = _windowAttribute.ConstructorArguments.Length == 1;
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.WindowRightCutByCausal,
                        AttributeArguments.Location(_windowAttribute, symmetric ? 0 : 1, symmetric ? "radius" : "right", cancellationToken),
                        _right,
                        name,
                        _left));
                }
            }

            /// <summary>The mask as a value: global positions sorted, and kept only with a window (without one every key is visible anyway).</summary>
            public MaskSpec ToSpec()
            {
                _globals.Sort();
                return new MaskSpec(
                    _causal,
                    HasWindow,
                    HasWindow ? _left : 0,
                    HasWindow ? _right : 0,
                    HasWindow ? new EquatableArray<int>(_globals) : EquatableArray<int>.Empty);
            }
        }
    }
}
