using System.Linq;

namespace KernelGen.Generator.Model
{
    /// <summary>
    /// Everything the user asked for on one kernel method, as plain values: where the method lives, how it is declared,
    /// its head dimension, scale and mask. Equal specs produce equal source.
    /// </summary>
    /// <param name="Namespace">The containing namespace, or empty for the global namespace.</param>
    /// <param name="ContainingTypes">The containing types, outermost first.</param>
    /// <param name="MethodName">The method's name (escaped if it is a keyword).</param>
    /// <param name="Modifiers">The method's modifiers except <c>partial</c>, in source order (e.g. "public static").</param>
    /// <param name="ParameterNames">The four parameter names, escaped: query, key, value, output.</param>
    /// <param name="IsExtension">Whether the first parameter carries <c>this</c> (an extension method).</param>
    /// <param name="HeadDimension">d, 1 to 512.</param>
    /// <param name="Scale">The effective score scale.</param>
    /// <param name="ScaleIsDefault">Whether <see cref="Scale"/> is the default 1/sqrt(d).</param>
    /// <param name="Mask">The static mask.</param>
    /// <param name="UserDocumentation">The declaration's own doc comment lines (<c>/// ...</c>, trimmed), carried over
    /// because the implementing part's comment is the one the compiler keeps.</param>
    /// <param name="Batch">The batched multi-head form (heads, layout, run-time parameters), or null for a single-head kernel.</param>
    /// <param name="TensorForm">Whether a batched kernel also gets an overload taking System.Numerics.Tensors tensors (the
    /// compilation references that package).</param>
    /// <param name="Score">The score modifiers ([Softcap], [Alibi], a run-time scale, bias or sinks); null for none.</param>
    /// <param name="QueryElement">The query span's element type as generated code spells it: float, global::System.Half or global::KernelGen.BFloat16.</param>
    /// <param name="KeyValueElement">The key and value spans' element type.</param>
    /// <param name="OutputElement">The output span's element type.</param>
    /// <param name="TensorModifiers">The tensor form's modifiers (accessibility, static, readonly, and new when it hides an
    /// inherited tensor form); never override, virtual, sealed or abstract, which belong to the span method alone.</param>
    /// <param name="SpecProperty">The name of the static property that returns the kernel's AttentionSpec (e.g.
    /// <c>AttendSpec</c>), or empty when that name is taken (KG0025).</param>
    /// <param name="SpecPropertyHides">Whether the spec property hides a base kernel's (it is declared <c>new</c>).</param>
    internal sealed record KernelSpec(
        string Namespace,
        EquatableArray<ContainingTypeSpec> ContainingTypes,
        string MethodName,
        string Modifiers,
        EquatableArray<string> ParameterNames,
        bool IsExtension,
        int HeadDimension,
        float Scale,
        bool ScaleIsDefault,
        MaskSpec Mask,
        EquatableArray<string> UserDocumentation,
        BatchSpec? Batch = null,
        bool TensorForm = false,
        ScoreSpec? Score = null,
        string QueryElement = "float",
        string KeyValueElement = "float",
        string OutputElement = "float",
        string TensorModifiers = "",
        string SpecProperty = "",
        bool SpecPropertyHides = false)
    {
        /// <summary>
        /// The method's accessibility keywords alone (e.g. "public", "protected internal"; empty for the default,
        /// private), which the spec property repeats so that it is visible wherever the kernel is.
        /// </summary>
        public string Accessibility => string.Join(" ", Modifiers.Split(' ').Where(static m => m is "public" or "private" or "protected" or "internal"));

        /// <summary>Whether every span is float (else the engine's element-generic entry converts at the boundary).</summary>
        public bool AllFloat => QueryElement == "float" && KeyValueElement == "float" && OutputElement == "float";

        /// <summary>The fully qualified display name, e.g. <c>MyApp.Kernels.Longformer64</c>.</summary>
        public string DisplayName
        {
            get
            {
                var builder = new System.Text.StringBuilder();
                if (Namespace.Length > 0)
                {
                    builder.Append(Namespace).Append('.');
                }

                foreach (ContainingTypeSpec type in ContainingTypes)
                {
                    builder.Append(type.Name).Append(type.TypeParameters).Append('.');
                }

                return builder.Append(MethodName).ToString();
            }
        }
    }
}
