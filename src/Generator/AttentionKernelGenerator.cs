using System.Linq;
using System.Reflection;
using KernelGen.Generator.Diagnostics;
using KernelGen.Generator.Emitting;
using KernelGen.Generator.Model;
using KernelGen.Generator.Parsing;
using KernelGen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator
{
    /// <summary>
    /// Emits a fused attention kernel for every partial method marked [AttentionKernel].
    /// Pipeline: attribute lookup, parse (spec or diagnostics), plan, emit; each step's output is a value-equatable model.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class AttentionKernelGenerator : IIncrementalGenerator
    {
        /// <summary>The version written into [GeneratedCode].</summary>
        public static readonly string Version =
            typeof(AttentionKernelGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KernelParser.KernelAttributeName,
                    predicate: static (node, _) => node is MethodDeclarationSyntax,
                    transform: static (context, cancellationToken) => KernelParser.Parse(context, cancellationToken))
                .WithTrackingName(TrackingNames.Parse);

            IncrementalValuesProvider<KernelPlan> planned = parsed
                .Where(static result => result.Spec is not null)
                .Select(static (result, _) => result.Spec!)
                .WithTrackingName(TrackingNames.Specs)
                .Select(static (spec, _) => KernelPlanner.TryPlan(spec));

            // Hint names must be unique ignoring case, whatever is declared (overloads, 'Attend' and 'attend', same-named
            // types in namespaces differing in case): the clashes get a stable suffix from the full signature. Only keys and
            // names are collected, so other kernels' edits leave each plan unchanged.
            IncrementalValueProvider<EquatableArray<HintNameEntry>> hintNames = planned
                .Select(static (plan, _) => new HintNameEntry(plan.Failure is null ? KernelPlanner.SignatureKey(plan.Spec) : string.Empty, plan.HintName))
                .Collect()
                .Select(static (entries, _) => KernelPlanner.AssignHintNames(entries));
            IncrementalValuesProvider<KernelPlan> plans = planned
                .Combine(hintNames)
                .Select(static (pair, _) => KernelPlanner.WithUniqueHintName(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.Plans);

            IncrementalValuesProvider<DiagnosticInfo> diagnostics = parsed
                .SelectMany(static (result, _) => result.Diagnostics.AsImmutableArray())
                .WithTrackingName(TrackingNames.Diagnostics);

            context.RegisterSourceOutput(plans, static (output, plan) => Emit(output, plan));

            // A declaration with a KG error gets a throwing implementation part, so the KG error is the build's only one.
            IncrementalValuesProvider<StubSpec> stubs = parsed
                .Where(static result => result.Stub is not null)
                .Select(static (result, _) => result.Stub!)
                .WithTrackingName(TrackingNames.Stubs);
            context.RegisterSourceOutput(stubs, static (output, stub) => EmitStub(output.AddSource, stub));
            // Diagnostics are paired with the compilation only at the end, to be placed in its syntax trees; the models
            // before this point stay free of trees and symbols.
            context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (output, pair) => Report(output, pair.Left, pair.Right));

            RegisterOrphanMask(context, KernelParser.CausalAttributeName, "CausalMask");
            RegisterOrphanMask(context, KernelParser.WindowAttributeName, "SlidingWindow");
            RegisterOrphanMask(context, KernelParser.GlobalAttributeName, "GlobalTokens");
            RegisterOrphanMask(context, KernelParser.SoftcapAttributeName, "Softcap");
            RegisterOrphanMask(context, KernelParser.AlibiAttributeName, "Alibi");
        }

        private static void Emit(SourceProductionContext output, KernelPlan plan)
        {
            if (!TryEmit(plan, out string? source, out Diagnostic? error))
            {
                output.ReportDiagnostic(error!);
                return;
            }

            if (TryAddSource(output.AddSource, plan, source!) is { } refused)
            {
                output.ReportDiagnostic(refused);
            }
        }

        /// <summary>
        /// Adds a declaration's throwing implementation part. Any failure (a hint name refused, an emitter bug) leaves the
        /// stub out: the compiler then adds its CS8795 to the KG error already reported, which is what happened before stubs.
        /// </summary>
        internal static void EmitStub(System.Action<string, string> addSource, StubSpec stub)
        {
            try
            {
                addSource(stub.HintName, StubEmitter.Emit(stub));
            }
            catch (System.Exception exception) when (exception is not System.OperationCanceledException)
            {
                // Nothing to report: the declaration's own KG error is the diagnostic that matters.
            }
        }

        /// <summary>
        /// Adds one kernel's file. A hint name Roslyn refuses (a clash or a character it does not allow) throws
        /// ArgumentException, which would fail the whole generator (CS8785, no kernel anywhere): it becomes a KG0999
        /// diagnostic for this kernel alone (returned), and the other kernels are still generated.
        /// </summary>
        internal static Diagnostic? TryAddSource(System.Action<string, string> addSource, KernelPlan plan, string source)
        {
            try
            {
                addSource(plan.HintName, source);
                return null;
            }
            catch (System.ArgumentException exception)
            {
                return Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, plan.Spec.DisplayName,
                    "hint name '" + plan.HintName + "' was refused: " + exception.Message);
            }
        }

        /// <summary>Reports a parser diagnostic; a failure to place it becomes KG0999 rather than a generator crash.</summary>
        private static void Report(SourceProductionContext output, DiagnosticInfo diagnostic, Compilation compilation)
        {
            Diagnostic created;
            try
            {
                created = diagnostic.ToDiagnostic(compilation);
            }
            catch (System.Exception exception) when (exception is not System.OperationCanceledException)
            {
                created = Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, diagnostic.Descriptor.Id, exception.GetType().Name + ": " + exception.Message);
            }

            try
            {
                output.ReportDiagnostic(created);
            }
            catch (System.ArgumentException)
            {
                // E.g. a location in a tree that is not part of the compilation.
                output.ReportDiagnostic(Diagnostic.Create(diagnostic.Descriptor, Location.None, diagnostic.Arguments.Select(static a => (object?)a).ToArray()));
            }
        }

        /// <summary>
        /// Emits one kernel. An emitter bug never fails the user's build with "generator failed": it becomes a KG0999
        /// diagnostic and no source for that kernel.
        /// </summary>
        internal static bool TryEmit(KernelPlan plan, out string? source, out Diagnostic? error)
        {
            if (plan.Failure is not null)
            {
                source = null;
                error = Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, plan.Spec.DisplayName, plan.Failure);
                return false;
            }

            try
            {
                source = KernelEmitter.Emit(plan, Version);
                error = null;
                return true;
            }
            catch (System.Exception exception) when (exception is not System.OperationCanceledException)
            {
                source = null;
                error = Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, plan.Spec.DisplayName, exception.GetType().Name + ": " + exception.Message);
                return false;
            }
        }

        /// <summary>Warns (KG0012) about a mask attribute on a method that has no [AttentionKernel].</summary>
        private static void RegisterOrphanMask(IncrementalGeneratorInitializationContext context, string attributeName, string shortName)
        {
            IncrementalValuesProvider<DiagnosticInfo> orphans = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attributeName,
                    predicate: static (node, _) => node is MethodDeclarationSyntax,
                    transform: (context, cancellationToken) => KernelParser.ParseOrphanMask(context, shortName, cancellationToken))
                .Where(static diagnostic => diagnostic is not null)
                .Select(static (diagnostic, _) => diagnostic!)
                .WithTrackingName(TrackingNames.OrphanMasks);
            context.RegisterSourceOutput(orphans.Combine(context.CompilationProvider), static (output, pair) => Report(output, pair.Left, pair.Right));
        }
    }
}
