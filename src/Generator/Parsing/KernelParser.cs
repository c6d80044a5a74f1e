using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
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
    internal static class KernelParser
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
                return ParseCore(context, cancellationToken);
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

        private static ParseResult ParseCore(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            if (context.TargetNode is not MethodDeclarationSyntax syntax || context.TargetSymbol is not IMethodSymbol method)
            {
                return Result(null, diagnostics);
            }

            string name = method.Name;
            LocationInfo? nameLocation = LocationInfo.From(syntax.Identifier);
            if (syntax.Identifier.IsMissing || syntax.ParameterList.Parameters.Any(static p => p.Identifier.IsMissing || p.Type is null || p.Type.IsMissing))
            {
                // Half-typed declaration: the compiler reports the syntax error; there is nothing to generate yet.
                return Result(null, diagnostics);
            }

            if (syntax.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp11 } options)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LanguageVersionTooLow, nameLocation, name, options.LanguageVersion.ToDisplayString()));
                return Result(null, diagnostics);
            }

            // The declaration: a partial method without a body, inside partial types.
            bool isPartial = syntax.Modifiers.Any(SyntaxKind.PartialKeyword);
            if (!isPartial || syntax.Body is not null || syntax.ExpressionBody is not null || method.PartialImplementationPart is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MethodMustBePartialDeclaration, nameLocation, name));
            }

            var containingTypes = new List<ContainingTypeSpec>();
            for (SyntaxNode? node = syntax.Parent; node is not null; node = node.Parent)
            {
                if (node is BaseNamespaceDeclarationSyntax { Name: var namespaceName } && (namespaceName.IsMissing || namespaceName.ContainsDiagnostics))
                {
                    // A namespace being typed: the symbol's namespace and the syntax disagree until it parses.
                    return Result(null, diagnostics);
                }

                if (node is TypeDeclarationSyntax type)
                {
                    if (type.Identifier.IsMissing)
                    {
                        return Result(null, diagnostics);
                    }

                    if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
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

            if (containingTypes.Count == 0)
            {
                // Not inside a type: the compiler already reports this code as invalid.
                return Result(null, diagnostics);
            }

            if (method.TypeParameters.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericMethod, LocationInfo.From(syntax.TypeParameterList) ?? nameLocation, name));
            }

            if (method.ReturnType.TypeKind == TypeKind.Error || method.Parameters.Any(static p => p.Type.TypeKind == TypeKind.Error))
            {
                // A type does not resolve (a missing using, a typo): the compiler says so; a signature message would only confuse.
                return Result(null, diagnostics);
            }

            string? signatureProblem = CheckSignature(method);
            if (signatureProblem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSignature, nameLocation, name, signatureProblem));
            }

            // Element types: key and value of one type.
            string queryElement = "float", keyValueElement = "float", outputElement = "float";
            if (signatureProblem is null)
            {
                queryElement = ElementType(method.Parameters[0].Type)!;
                keyValueElement = ElementType(method.Parameters[1].Type)!;
                outputElement = ElementType(method.Parameters[3].Type)!;
                if (ElementType(method.Parameters[2].Type) != keyValueElement)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MixedKeyValueTypes, LocationInfo.From(syntax.ParameterList.Parameters[2].Type), name,
                        method.Parameters[1].Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat), method.Parameters[2].Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)));
                }
            }

            // [AttentionKernel(d, Scale = s)]
            AttributeData kernel = context.Attributes[0];
            if (!TryGetInt(kernel, 0, out int headDimension))
            {
                // The attribute does not bind (half-typed code): the compiler reports it; emit nothing.
                return Result(null, diagnostics);
            }

            if (headDimension < 1 || headDimension > MaxHeadDimension)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HeadDimensionOutOfRange, ArgumentLocation(kernel, 0, "headDimension", cancellationToken), headDimension));
            }

            float scale = 0f;
            foreach (KeyValuePair<string, TypedConstant> named in kernel.NamedArguments)
            {
                if (named.Key == "Scale" && named.Value.Value is float value)
                {
                    scale = value;
                    if (float.IsNaN(value) || float.IsInfinity(value) || value < 0f)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScale, NamedArgumentLocation(kernel, "Scale", cancellationToken), value));
                    }
                }
            }

            AttributeData? alibiAttribute = method.GetAttributes().FirstOrDefault(static a => a.AttributeClass?.ToDisplayString() == AlibiAttributeName);
            BatchSpec? batch = ParseBatch(method, syntax, kernel, alibiAttribute is not null, diagnostics, cancellationToken);
            bool singleHeadScale = batch is null && method.Parameters.Length == 5 && method.Parameters[4].Type.SpecialType == SpecialType.System_Single;
            if (singleHeadScale && method.Parameters[4].Name != "scale")
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, LocationInfo.From(syntax.ParameterList.Parameters[4]), method.Parameters[4].Name, name,
                    "is not a run-time parameter KernelGen knows: a single-head kernel's only one is 'float scale', right after the output span"));
            }

            // KG0020 already reports a single-head kernel that names Heads (its one cause): no second diagnostic for [Alibi].
            bool namesBatchArguments = kernel.NamedArguments.Any(static n => n.Key is "Heads" or "KeyValueHeads" or "Layout");
            if (alibiAttribute is not null && !(batch is null && namesBatchArguments) && (batch is null || !kernel.NamedArguments.Any(static n => n.Key == "Heads")))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AlibiNeedsHeads, LocationInfo.From(alibiAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)), name,
                    batch is null ? "takes no 'int batch' parameter (a single-head kernel has no head index)" : "does not name Heads in [AttentionKernel]"));
            }

            // Mask attributes.
            bool causal = false;
            bool hasWindow = false;
            int left = 0;
            int right = 0;
            AttributeData? windowAttribute = null;
            AttributeData? globalAttribute = null;
            var globals = new List<int>();
            float softcap = 0f;
            foreach (AttributeData attribute in method.GetAttributes())
            {
                switch (attribute.AttributeClass?.ToDisplayString())
                {
                    case SoftcapAttributeName:
                        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not float cap)
                        {
                            return Result(null, diagnostics);
                        }

                        if (float.IsNaN(cap) || float.IsInfinity(cap) || cap <= 0f || float.IsInfinity(1f / cap))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSoftcap, ArgumentLocation(attribute, 0, "cap", cancellationToken), cap));
                        }
                        else
                        {
                            softcap = cap;
                        }

                        break;

                    case CausalAttributeName:
                        causal = true;
                        break;

                    case WindowAttributeName when !hasWindow:
                        if (!TryGetInt(attribute, 0, out left))
                        {
                            return Result(null, diagnostics);
                        }

                        bool symmetric = attribute.ConstructorArguments.Length == 1;
                        if (symmetric)
                        {
                            right = left;
                        }
                        else if (!TryGetInt(attribute, 1, out right))
                        {
                            return Result(null, diagnostics);
                        }

                        hasWindow = true;
                        windowAttribute = attribute;
                        if (left < 0)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativeWindowSide, ArgumentLocation(attribute, 0, symmetric ? "radius" : "left", cancellationToken), symmetric ? "radius" : "left", left));
                        }

                        if (right < 0 && !symmetric)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativeWindowSide, ArgumentLocation(attribute, 1, "right", cancellationToken), "right", right));
                        }

                        break;

                    case GlobalAttributeName when globalAttribute is null:
                        globalAttribute = attribute;
                        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
                        {
                            return Result(null, diagnostics);
                        }

                        TypedConstant array = attribute.ConstructorArguments[0];
                        int count = array.IsNull ? 0 : array.Values.Length;
                        var seen = new HashSet<int>();
                        for (int i = 0; i < count; i++)
                        {
                            if (array.Values[i].Value is not int position)
                            {
                                return Result(null, diagnostics);
                            }

                            if (position < 0)
                            {
                                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NegativeGlobalPosition, ElementLocation(attribute, i, count, cancellationToken), position));
                            }
                            else if (!seen.Add(position))
                            {
                                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateGlobalPosition, ElementLocation(attribute, i, count, cancellationToken), position));
                            }
                            else
                            {
                                globals.Add(position);
                            }
                        }

                        break;
                }
            }

            if (globalAttribute is not null && !hasWindow)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GlobalTokensWithoutWindow, LocationInfo.From(globalAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)), name));
            }

            if (causal && windowAttribute is not null && right > 0)
            {
                bool symmetric = windowAttribute.ConstructorArguments.Length == 1;
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.WindowRightCutByCausal,
                    ArgumentLocation(windowAttribute, symmetric ? 0 : 1, symmetric ? "radius" : "right", cancellationToken),
                    right,
                    name,
                    left));
            }

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

            globals.Sort();
            var mask = new MaskSpec(
                causal,
                hasWindow,
                hasWindow ? left : 0,
                hasWindow ? right : 0,
                hasWindow ? new EquatableArray<int>(globals) : EquatableArray<int>.Empty);

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
                mask,
                new EquatableArray<string>(DocumentationLines(syntax)),
                batch,
                tensorForm,
                ScoreOf(singleHeadScale || (batch?.Has("scale") ?? false), softcap, alibiAttribute is not null, batch),
                queryElement,
                keyValueElement,
                outputElement,
                tensorForm ? TensorFormModifiers(syntax, method, context.SemanticModel.Compilation) : string.Empty);
            return Result(spec, diagnostics);
        }

        /// <summary>The score modifiers, or null when the kernel has none (its code is then exactly that of a plain kernel).</summary>
        private static ScoreSpec? ScoreOf(bool runtimeScale, float softcap, bool alibi, BatchSpec? batch)
        {
            var score = new ScoreSpec(runtimeScale, softcap, alibi, batch?.Has("bias") ?? false, batch?.Has("sinks") ?? false);
            return score.ChangesScores || score.Sinks ? score : null;
        }

        /// <summary>Whether a type is marked [Experimental], whose use the compiler reports as an error.</summary>
        private static bool IsExperimental(INamedTypeSymbol type) =>
            type.GetAttributes().Any(static a => a.AttributeClass?.ToDisplayString() == "System.Diagnostics.CodeAnalysis.ExperimentalAttribute");

        /// <summary>The System.Numerics.Tensors types a batched kernel's tensor form takes.</summary>
        private const string ReadOnlyTensorSpanName = "System.Numerics.Tensors.ReadOnlyTensorSpan`1", TensorSpanName = "System.Numerics.Tensors.TensorSpan`1";

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

        /// <summary>
        /// Heads, KeyValueHeads and Layout, and the run-time parameters after <c>int batch</c>: the batched form, or null
        /// for a single-head kernel. Problems become diagnostics on the offending argument or parameter.
        /// </summary>
        private static BatchSpec? ParseBatch(IMethodSymbol method, MethodDeclarationSyntax syntax, AttributeData kernel, bool alibi, List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            int heads = 0, keyValueHeads = 0, layout = 0;
            string? firstBatchArgument = null;
            foreach (KeyValuePair<string, TypedConstant> named in kernel.NamedArguments)
            {
                if (named.Key is not ("Heads" or "KeyValueHeads" or "Layout") || named.Value.Value is not int value)
                {
                    continue;
                }

                firstBatchArgument ??= named.Key;
                switch (named.Key)
                {
                    case "Heads":
                        heads = value;
                        break;
                    case "KeyValueHeads":
                        keyValueHeads = value;
                        break;
                    default:
                        layout = value;
                        break;
                }
            }

            bool batched = method.Parameters.Length > 4 && method.Parameters[4].Type.SpecialType == SpecialType.System_Int32;
            if (!batched)
            {
                // Four spans, or a single-head kernel's 'float scale' after them: Heads/KeyValueHeads/Layout need 'int batch'.
                if (firstBatchArgument is not null && (method.Parameters.Length == 4 || (method.Parameters.Length == 5 && method.Parameters[4].Type.SpecialType == SpecialType.System_Single)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MultiHeadWithoutBatch, NamedArgumentLocation(kernel, firstBatchArgument, cancellationToken), method.Name, firstBatchArgument));
                }

                return null;
            }

            if (heads < 0 || (long)heads * MaxHeadDimension > int.MaxValue)
            {
                // A position of Heads rows of d floats must fit one span (at most int.MaxValue floats) for any valid d.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHeads, NamedArgumentLocation(kernel, "Heads", cancellationToken), heads));
            }

            int effectiveHeads = Math.Max(1, heads);
            int effectiveKeyValueHeads = keyValueHeads == 0 ? effectiveHeads : keyValueHeads;
            if (heads >= 0 && (effectiveKeyValueHeads < 1 || effectiveKeyValueHeads > effectiveHeads || effectiveHeads % effectiveKeyValueHeads != 0))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidKeyValueHeads, NamedArgumentLocation(kernel, "KeyValueHeads", cancellationToken), keyValueHeads, effectiveHeads));
            }

            if (layout is not (0 or 1))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayout, NamedArgumentLocation(kernel, "Layout", cancellationToken), layout));
            }

            var present = new List<string>();
            int last = -1;
            for (int i = 5; i < method.Parameters.Length; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                LocationInfo? location = LocationInfo.From(syntax.ParameterList.Parameters[i]);
                string type = parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
                int index = Array.FindIndex(RuntimeParameters.All, p => p.Name == parameter.Name);
                string? problem =
                    index < 0 ? "is not a run-time parameter KernelGen knows"
                    : RuntimeParameters.All[index].Type != type ? $"is '{RuntimeParameters.ShortType(type)}', not '{RuntimeParameters.ShortType(RuntimeParameters.All[index].Type)}'"
                    : parameter.RefKind != RefKind.None || parameter.IsParams || parameter.ScopedKind != ScopedKind.None ? "must be passed by value, without modifiers"
                    : index <= last ? "is out of order"
                    : null;
                if (problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, location, parameter.Name, method.Name, problem));
                    continue;
                }

                if (parameter.Name == "sequenceStarts" && (present.Contains("keyLengths") || present.Contains("queryLengths") || present.Contains("keyMask") || present.Contains("mask")))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, location, parameter.Name, method.Name,
                        "cannot be combined with keyLengths, queryLengths, keyMask or mask (a packed sequence is all valid tokens)"));
                    continue;
                }

                string? conflict = parameter.Name switch
                {
                    "querySequenceStarts" when present.Contains("keyLengths") || present.Contains("queryLengths") || present.Contains("keyMask") || present.Contains("mask")
                        || present.Contains("sequenceStarts") =>
                        "cannot be combined with keyLengths, queryLengths, keyMask, mask or sequenceStarts (packed items are all valid tokens, and their starts are these)",
                    "keySequenceStarts" when !method.Parameters.Any(static p => p.Name == "querySequenceStarts") => "needs querySequenceStarts right before it (the two come together)",
                    "alibiSlopes" when !alibi => "needs [Alibi] on the method (it replaces the standard ALiBi slopes)",
                    "bias" when present.Contains("sequenceStarts") || present.Contains("querySequenceStarts") =>
                        "cannot be combined with packed sequences (a bias is [Nq, Nk] per item; packed items have no common Nq and Nk)",
                    _ => null,
                };
                if (conflict is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, location, parameter.Name, method.Name, conflict));
                    continue;
                }

                if (parameter.Name is "sequenceStarts" or "querySequenceStarts" && layout == 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PackedNeedsSequenceLayout, NamedArgumentLocation(kernel, "Layout", cancellationToken), method.Name, parameter.Name));
                }

                last = index;
                present.Add(parameter.Name);
            }

            if (present.Contains("querySequenceStarts") && !present.Contains("keySequenceStarts"))
            {
                int index = Array.FindIndex(method.Parameters.ToArray(), static p => p.Name == "querySequenceStarts");
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRuntimeParameter, LocationInfo.From(syntax.ParameterList.Parameters[index]), "querySequenceStarts", method.Name,
                    "needs keySequenceStarts right after it (the two come together)"));
            }

            return new BatchSpec(effectiveHeads, effectiveKeyValueHeads, layout, new EquatableArray<string>(present));
        }

        /// <summary>Namespace names as C# source: dotted, keywords escaped with <c>@</c>.</summary>
        private static readonly SymbolDisplayFormat NamespaceFormat = new(
            globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

        /// <summary>1/sqrt(d), rounded once from double so every machine computes the same float.</summary>
        public static float DefaultScale(int headDimension) => (float)(1.0 / Math.Sqrt(headDimension));

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

        private static ParseResult Result(KernelSpec? spec, List<DiagnosticInfo> diagnostics) =>
            new(spec, new EquatableArray<DiagnosticInfo>(diagnostics));

        private static bool HasAttribute(IMethodSymbol method, string fullName) =>
            method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == fullName);

        private static string? CheckSignature(IMethodSymbol method)
        {
            if (!method.ReturnsVoid)
            {
                return "it must return void";
            }

            if (method.IsAsync || method.IsExtern)
            {
                return $"it must not be '{(method.IsAsync ? "async" : "extern")}': KernelGen writes a synchronous body";
            }

            if (method.Parameters.Length < 4)
            {
                return $"it has {method.Parameters.Length} parameters, not 4";
            }

            if (method.Parameters.Length > 4)
            {
                // A batched kernel: the four spans, then 'int batch', then run-time parameters (checked one by one); or a
                // single-head kernel with its one run-time parameter, 'float scale'.
                IParameterSymbol fifth = method.Parameters[4];
                bool batch = fifth.Type.SpecialType == SpecialType.System_Int32, scale = fifth.Type.SpecialType == SpecialType.System_Single;
                if (!(batch || scale) || fifth.RefKind != RefKind.None || fifth.IsParams || fifth.ScopedKind != ScopedKind.None)
                {
                    return $"it has {method.Parameters.Length} parameters; after the four spans only 'int batch' (a batched kernel) or 'float scale' (a single-head kernel's run-time scale) may follow, not '{fifth.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)} {fifth.Name}'";
                }

                if (scale && method.Parameters.Length > 5)
                {
                    return $"it has {method.Parameters.Length} parameters; a single-head kernel takes only 'float scale' after its output span (run-time spans need a batched kernel: add 'int batch' before them)";
                }
            }

            // The four spans: ReadOnlySpan of float, System.Half or KernelGen.BFloat16 for query, key and value; Span of one
            // of them for output. Key and value of one type are checked by the caller (KG0024).
            for (int i = 0; i < 4; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                if (parameter.RefKind != RefKind.None || parameter.IsParams || parameter.ScopedKind != ScopedKind.None)
                {
                    return $"parameter '{parameter.Name}' must be passed by value, without modifiers";
                }

                string actual = parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
                string span = i < 3 ? "System.ReadOnlySpan<" : "System.Span<";
                if (!actual.StartsWith(span, StringComparison.Ordinal) || ElementType(parameter.Type) is null)
                {
                    return $"parameter '{parameter.Name}' is '{actual}', not '{span.Substring("System.".Length)}float>' (or of System.Half or KernelGen.BFloat16)";
                }
            }

            return null;
        }

        /// <summary>A span parameter's element type as generated code spells it (float, System.Half, KernelGen.BFloat16), or null for another.</summary>
        private static string? ElementType(ITypeSymbol type) =>
            type is INamedTypeSymbol { TypeArguments.Length: 1 } span
                ? span.TypeArguments[0].ToDisplayString() switch
                {
                    "float" => "float",
                    "System.Half" => "global::System.Half",
                    "KernelGen.BFloat16" => "global::KernelGen.BFloat16",
                    _ => null,
                }
                : null;

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

        private static bool TryGetInt(AttributeData attribute, int index, out int value)
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
        private static LocationInfo? ArgumentLocation(AttributeData attribute, int position, string parameterName, CancellationToken cancellationToken)
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

        private static LocationInfo? NamedArgumentLocation(AttributeData attribute, string propertyName, CancellationToken cancellationToken)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
            {
                return null;
            }

            AttributeArgumentSyntax? argument = syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == propertyName);
            return LocationInfo.From(argument?.Expression) ?? LocationInfo.From(syntax);
        }

        /// <summary>The syntax of element <paramref name="index"/> of a params array argument, written inline or as an array.</summary>
        private static LocationInfo? ElementLocation(AttributeData attribute, int index, int count, CancellationToken cancellationToken)
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
