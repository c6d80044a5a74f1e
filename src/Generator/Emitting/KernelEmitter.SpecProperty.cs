using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    /// <summary>
    /// The kernel's spec as a static property beside the kernel (<c>AttendSpec</c>), so checking a kernel against
    /// <c>ReferenceAttention</c> needs no second copy of its attributes.
    /// </summary>
    internal static partial class KernelEmitter
    {
        /// <summary>
        /// The property on the user's type. It returns one instance built once by the file-local kernel class, so an access
        /// allocates nothing; it repeats the kernel's accessibility so that it is visible wherever the kernel is.
        /// </summary>
        private static void WriteSpecProperty(CodeWriter writer, KernelPlan plan, string version)
        {
            KernelSpec spec = plan.Spec;
            string[] names = spec.ParameterNames.ToArray();
            string check = spec.Batch is null
                ? $"ReferenceAttention.Compute({spec.SpecProperty}, {names[0]}, {names[1]}, {names[2]}, expected)"
                : $"ReferenceAttention.ComputeBatched({spec.SpecProperty}, {names[4]}, {names[0]}, {names[1]}, {names[2]}, expected, ...)";
            string scale = spec.Score is { RuntimeScale: true } ? " The scale is the one passed with each call: give the reference the same one." : string.Empty;
            writer.Line();
            writer.Line($"/// <summary>The spec <c>{Lit.Xml(spec.MethodName)}</c> computes, as its attributes declare it: {Lit.Xml(DescribeSpec(spec))}.</summary>");
            writer.Line($"/// <remarks>Checks the kernel against the double-precision reference in one call: <c>{Lit.Xml(check)}</c>.{scale} Built once; reading it allocates nothing.</remarks>");
            writer.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"KernelGen\", {Lit.String(version)})]");
            string accessibility = spec.Accessibility.Length > 0 ? spec.Accessibility + " " : string.Empty;
            writer.Line($"{accessibility}{(spec.SpecPropertyHides ? "new " : string.Empty)}static global::KernelGen.AttentionSpec {spec.SpecProperty} => global::{ImplementationNamespace}.{plan.ImplementationName}.Spec;");
        }

        /// <summary>The file-local field the property returns: the AttentionSpec constructor with every non-default argument.</summary>
        private static void WriteSpecField(CodeWriter writer, KernelSpec spec)
        {
            var arguments = new List<string> { "HeadDimension", "scale: " + Lit.Float(spec.Scale) };
            MaskSpec mask = spec.Mask;
            if (mask.Causal)
            {
                arguments.Add("causal: true");
            }

            if (mask.HasWindow)
            {
                arguments.Add($"window: new global::KernelGen.AttentionWindow({Lit.Int(mask.WindowLeft)}, {Lit.Int(mask.WindowRight)})");
            }

            if (mask.HasGlobals)
            {
                arguments.Add($"globalPositions: new int[] {{ {string.Join(", ", mask.GlobalPositions.Select(Lit.Int))} }}");
            }

            if (spec.Score is { Softcap: not 0f } capped)
            {
                arguments.Add("softcap: " + Lit.Float(capped.Softcap));
            }

            if (spec.Score is { Alibi: true })
            {
                arguments.Add("alibi: true");
            }

            if (spec.Batch is { } batch)
            {
                arguments.Add("heads: Heads");
                arguments.Add("keyValueHeads: KeyValueHeads");
                arguments.Add("layout: global::KernelGen.AttentionLayout." + batch.LayoutName);
            }

            writer.Line();
            writer.Line($"/// <summary>The kernel's spec, built once for <c>{Lit.Xml(spec.SpecProperty)}</c>.</summary>");
            writer.Line($"internal static readonly global::KernelGen.AttentionSpec Spec = new({string.Join(", ", arguments)});");
        }
    }
}
