using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Kernels.Tests
{
    /// <summary>The signature every generated single-head kernel has.</summary>
    public delegate void AttentionKernel(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

    /// <summary>A generated kernel with the spec read back from its own attributes.</summary>
    public sealed record KernelCase(string Name, AttentionKernel Kernel, AttentionSpec Spec)
    {
        public override string ToString() => Name;
    }

    /// <summary>Finds the kernels declared in <see cref="TestKernels"/> and builds the reference spec from their attributes.</summary>
    public static class KernelCatalog
    {
        private static readonly Lazy<Dictionary<string, KernelCase>> Cases = new(Load);

        public static IReadOnlyCollection<string> Names => Cases.Value.Keys;

        public static KernelCase Get(string name) => Cases.Value[name];

        public static AttentionSpec SpecOf(MethodInfo method) => AttentionSpec.FromAttributes(
            method.GetCustomAttribute<AttentionKernelAttribute>()!,
            method.GetCustomAttribute<CausalMaskAttribute>(),
            method.GetCustomAttribute<SlidingWindowAttribute>(),
            method.GetCustomAttribute<GlobalTokensAttribute>(),
            method.GetCustomAttribute<SoftcapAttribute>(),
            method.GetCustomAttribute<AlibiAttribute>());

        private static Dictionary<string, KernelCase> Load() =>
            typeof(TestKernels)
                .GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Where(static m => m.GetCustomAttribute<AttentionKernelAttribute>() is not null)
                .OrderBy(static m => m.Name, StringComparer.Ordinal)
                .ToDictionary(
                    static m => m.Name,
                    static m => new KernelCase(m.Name, m.CreateDelegate<AttentionKernel>(), SpecOf(m)));
    }
}
