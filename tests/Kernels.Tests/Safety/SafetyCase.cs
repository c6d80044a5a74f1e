using System;
using System.Linq;
using System.Reflection;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// One generated kernel for the safety tests: how to call it through <see cref="RawArgs"/>, and what its attributes and
    /// signature say (spec, heads, layout, which spans it takes and their element types).
    /// </summary>
    public sealed record SafetyCase(string Name, string Family, RawInvoker Invoke, AttentionSpec Spec, int Heads, int KeyValueHeads, AttentionLayout Layout,
        bool Batched, bool HasScale, (string Name, Type Element)[] Spans)
    {
        public int HeadDimension => Spec.HeadDimension;

        public bool Packed => Has("sequenceStarts");

        public bool PackedPair => Has("querySequenceStarts");

        public bool Has(string span) => Spans.Any(s => s.Name == span);

        public Type ElementOf(string span) => Spans.Single(s => s.Name == span).Element;

        public override string ToString() => Name;

        /// <summary>Reads the kernel <paramref name="method"/> of <paramref name="type"/> back from its attributes and parameters.</summary>
        public static SafetyCase Of(Type type, string method, string family, RawInvoker invoke)
        {
            // The span form carries the attributes; a generated tensor form of the same name does not.
            MethodInfo m = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .Single(x => x.Name == method && x.GetCustomAttribute<AttentionKernelAttribute>() is not null);
            AttentionKernelAttribute kernel = m.GetCustomAttribute<AttentionKernelAttribute>()!;
            ParameterInfo[] parameters = m.GetParameters();
            bool batched = parameters.Any(p => p.Name == "batch");
            int heads = batched ? Math.Max(1, kernel.Heads) : 1;
            int keyValueHeads = batched && kernel.KeyValueHeads != 0 ? kernel.KeyValueHeads : heads;
            (string, Type)[] spans = parameters
                .Where(p => p.ParameterType.IsGenericType && (p.ParameterType.GetGenericTypeDefinition() == typeof(ReadOnlySpan<>) || p.ParameterType.GetGenericTypeDefinition() == typeof(Span<>)))
                .Select(p => (p.Name!, p.ParameterType.GetGenericArguments()[0]))
                .ToArray();
            foreach ((string name, Type _) in spans)
            {
                if (!RawArgs.SpanNames.Contains(name))
                {
                    throw new InvalidOperationException($"{method}: span parameter '{name}' is unknown to RawArgs.");
                }
            }

            return new SafetyCase(method, family, invoke, KernelCatalog.SpecOf(m), heads, keyValueHeads, batched ? kernel.Layout : AttentionLayout.BatchSeqHeadDim,
                batched, parameters.Any(p => p.Name == "scale"), spans);
        }
    }
}
