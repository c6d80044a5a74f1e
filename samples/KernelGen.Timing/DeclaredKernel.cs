using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen.Timing
{
    /// <summary>
    /// A kernel found by reflection over this assembly's [AttentionKernel] methods: its spec (from the property the
    /// generator emits beside it when there is one, else from its attributes), its element types, and whether it is
    /// batched. Reflection runs once, before timing; the timed calls go through a delegate bound to the method.
    /// </summary>
    internal sealed class DeclaredKernel
    {
        private DeclaredKernel(MethodInfo method, AttentionKernelAttribute attribute, AttentionSpec spec)
        {
            Method = method;
            Attribute = attribute;
            Spec = spec;
            ParameterInfo[] parameters = method.GetParameters();
            Batched = parameters.Length == 5;
            QueryType = SpanElement(parameters[0].ParameterType)!;
            KeyValueType = SpanElement(parameters[1].ParameterType)!;
            OutputType = SpanElement(parameters[3].ParameterType)!;
        }

        public MethodInfo Method { get; }

        public AttentionKernelAttribute Attribute { get; }

        public AttentionSpec Spec { get; }

        public bool Batched { get; }

        public int Heads => Math.Max(1, Attribute.Heads);

        /// <summary>0 in the attribute means one key/value head per query head.</summary>
        public int KeyValueHeads => Attribute.KeyValueHeads > 0 ? Attribute.KeyValueHeads : Heads;

        public Type QueryType { get; }

        public Type KeyValueType { get; }

        public Type OutputType { get; }

        public string Name => $"{Method.DeclaringType!.Name}.{Method.Name}";

        /// <summary>Every [AttentionKernel] method of this assembly, by name.</summary>
        public static IReadOnlyList<MethodInfo> FindAll() =>
            typeof(DeclaredKernel).Assembly.GetTypes()
                .SelectMany(static type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                .Where(static method => method.GetCustomAttribute<AttentionKernelAttribute>() is not null)
                .OrderBy(static method => method.Name, StringComparer.Ordinal)
                .ToList();

        /// <summary>The kernel named <paramref name="name"/> (method name, or Type.Method), or why it cannot be timed.</summary>
        public static DeclaredKernel Find(string name)
        {
            MethodInfo[] matches = FindAll().Where(m => m.Name == name || $"{m.DeclaringType!.Name}.{m.Name}" == name).ToArray();
            if (matches.Length != 1)
            {
                throw new ArgumentException(matches.Length == 0
                    ? $"No [AttentionKernel] method named '{name}'; --list shows the kernels declared in this project."
                    : $"'{name}' names {matches.Length} kernels; write Type.Method.");
            }

            MethodInfo method = matches[0];
            ParameterInfo[] parameters = method.GetParameters();
            bool shapeOk = method.IsStatic
                && (parameters.Length == 4 || (parameters.Length == 5 && parameters[4].ParameterType == typeof(int)))
                && parameters.Take(4).All(static p => SpanElement(p.ParameterType) is not null);
            if (!shapeOk)
            {
                throw new ArgumentException(
                    $"{method.Name}: the harness times static kernels whose parameters are (query, key, value, output) spans, plus 'int batch' " +
                    "when batched; run-time parameters such as keyLengths or scale need a few lines in KernelTimer.cs.");
            }

            return new DeclaredKernel(method, method.GetCustomAttribute<AttentionKernelAttribute>()!, SpecOf(method));
        }

        /// <summary>Query-key pairs the mask leaves visible in one head of one item (the work the kernel must do).</summary>
        public long VisiblePairs(int queries, int keys)
        {
            long pairs = 0;
            for (int i = 0; i < queries; i++)
            {
                for (int j = 0; j < keys; j++)
                {
                    if (Spec.IsAllowed(i, j, queries, keys))
                    {
                        pairs++;
                    }
                }
            }

            return pairs;
        }

        /// <summary>One line: head dimension, scale, mask and score terms (from the spec), heads, element types.</summary>
        public string Describe()
        {
            var parts = new List<string> { $"d = {Spec.HeadDimension}", $"scale {Spec.Scale:G6}" };
            if (Spec.Causal)
            {
                parts.Add("causal");
            }

            if (Spec.Window is AttentionWindow window)
            {
                parts.Add($"window ({window.Left}, {window.Right})");
            }

            if (Spec.GlobalPositions.Count > 0)
            {
                parts.Add($"globals {{{string.Join(", ", Spec.GlobalPositions)}}}");
            }

            if (Spec.Softcap > 0)
            {
                parts.Add($"softcap {Spec.Softcap:G6}");
            }

            if (Spec.Alibi)
            {
                parts.Add("ALiBi");
            }
            if (Batched)
            {
                parts.Add($"batched: {Heads} heads over {KeyValueHeads} key/value heads, {Attribute.Layout}");
            }

            parts.Add($"query {TypeName(QueryType)}, key/value {TypeName(KeyValueType)}, output {TypeName(OutputType)}");
            return string.Join(", ", parts);
        }

        private static AttentionSpec SpecOf(MethodInfo method)
        {
            // The generator emits <Method>Spec beside each kernel (where that version of KernelGen has it).
            PropertyInfo? generated = method.DeclaringType!.GetProperty(method.Name + "Spec", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
            if (generated?.GetValue(null) is AttentionSpec spec)
            {
                return spec;
            }

            return AttentionSpec.FromAttributes(
                method.GetCustomAttribute<AttentionKernelAttribute>()!,
                method.GetCustomAttribute<CausalMaskAttribute>(),
                method.GetCustomAttribute<SlidingWindowAttribute>(),
                method.GetCustomAttribute<GlobalTokensAttribute>(),
                method.GetCustomAttribute<SoftcapAttribute>(),
                method.GetCustomAttribute<AlibiAttribute>());
        }

        private static string TypeName(Type type) => type == typeof(float) ? "float" : type.Name;

        private static Type? SpanElement(Type type) =>
            type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(ReadOnlySpan<>) || type.GetGenericTypeDefinition() == typeof(Span<>))
                ? type.GetGenericArguments()[0] is Type element && (element == typeof(float) || element == typeof(Half) || element == typeof(BFloat16)) ? element : null
                : null;
    }
}
