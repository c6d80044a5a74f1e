using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    internal static partial class KernelEmitter
    {
        /// <summary>The System.Numerics.Tensors types of the tensor form, as generated code spells them.</summary>
        private const string ReadOnlyTensor = "global::System.Numerics.Tensors.ReadOnlyTensorSpan<float>", Tensor = "global::System.Numerics.Tensors.TensorSpan<float>";

        /// <summary>
        /// The tensor form beside the user's batched method: the same name and run-time parameters, query, key, value and
        /// output as tensors instead of spans, and no <c>int batch</c> (B is the tensors' first dimension). It hands
        /// everything to the kernel class, so no local of the method can clash with a parameter name.
        /// </summary>
        private static void WriteTensorMethod(CodeWriter writer, KernelPlan plan, string version)
        {
            KernelSpec spec = plan.Spec;
            BatchSpec batch = spec.Batch!;
            string[] names = spec.ParameterNames.ToArray();
            string modifiers = spec.Modifiers.Length > 0 ? spec.Modifiers + " " : string.Empty;
            var declared = new System.Collections.Generic.List<string>();
            var arguments = new System.Collections.Generic.Dictionary<string, string>();
            for (int i = 0; i < batch.RuntimeParameters.Length; i++)
            {
                declared.Add($"{RuntimeParameters.GlobalType(batch.RuntimeParameters[i])} {names[5 + i]}");
                arguments[batch.RuntimeParameters[i]] = names[5 + i];
            }

            string shapes = batch.Has("sequenceStarts") ? "[total, H, d]" : batch.Layout == 1 ? "[B, H, N, d]" : "[B, N, H, d]";
            writer.Line();
            writer.Line($"/// <summary>The tensor form of {Lit.Xml(spec.MethodName)}: the same kernel, with query, key, value and output as System.Numerics.Tensors tensors.</summary>");
            writer.Line("/// <remarks>");
            writer.Line($"/// <para>Each tensor is {Lit.Xml(shapes)} ({(batch.Has("sequenceStarts") ? "packed" : batch.LayoutName)}), dense and row-major; {(batch.Has("sequenceStarts") ? "B comes from the sequence starts" : "B is the first dimension")}.");
            writer.Line("/// A tensor of another rank or head shape, or a strided or broadcast view (e.g. a slice of a fused QKV tensor), throws");
            writer.Line("/// ArgumentException naming the parameter before anything is written; then every check of the span form applies.</para>");
            writer.Line("/// </remarks>");
            writer.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"KernelGen\", {Lit.String(version)})]");
            string tensors = $"{(spec.IsExtension ? "this " : string.Empty)}{ReadOnlyTensor} {names[0]}, {ReadOnlyTensor} {names[1]}, {ReadOnlyTensor} {names[2]}, {Tensor} {names[3]}";
            writer.Open($"{modifiers}void {spec.MethodName}({tensors}{string.Concat(declared.Select(static p => ", " + p))})");
            string values = string.Join(", ", RuntimeParameters.CallOrder.Select(p => arguments.TryGetValue(p, out string? name) ? name : "default"));
            string nameArguments = string.Join(", ", RuntimeParameters.CallOrder.Select(p => arguments.TryGetValue(p, out string? name) ? NameLiteral(name) : Lit.String(p)));
            writer.Line($"global::{ImplementationNamespace}.{plan.ImplementationName}.RunTensors({names[0]}, {names[1]}, {names[2]}, {names[3]}, {values},");
            writer.Line($"    {NameLiteral(names[0])}, {NameLiteral(names[1])}, {NameLiteral(names[2])}, {NameLiteral(names[3])}, {nameArguments});");
            writer.Close();
        }

        /// <summary>The kernel class's side of the tensor form: shape and stride checks, then the span form on the tensors' elements.</summary>
        private static void WriteRunTensors(CodeWriter writer, BatchSpec batch)
        {
            bool packed = batch.Has("sequenceStarts");
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// The tensor form: checks each tensor's rank, head count, head dimension and dense row-major strides (naming the");
            writer.Line("/// caller's parameter), then runs the span form on the tensors' elements.");
            writer.Line("/// </summary>");
            writer.Line($"public static void RunTensors({ReadOnlyTensor} query, {ReadOnlyTensor} key, {ReadOnlyTensor} value, {Tensor} output,");
            writer.Line("    ReadOnlySpan<int> keyLengths, ReadOnlySpan<int> queryLengths, ReadOnlySpan<int> sequenceStarts, Span<float> logSumExp, ReadOnlySpan<bool> keyMask, ReadOnlySpan<bool> mask,");
            writer.Line("    string queryName, string keyName, string valueName, string outputName, string keyLengthsName, string queryLengthsName,");
            writer.Line("    string sequenceStartsName, string logSumExpName, string keyMaskName, string maskName)");
            writer.Open();
            writer.Line("// Validation: the tensors' shapes and strides against the layout, before anything is written.");
            writer.Line($"{(packed ? string.Empty : "int batch = ")}global::KernelGen.TensorShapes.ValidateBatched(global::KernelGen.AttentionLayout.{batch.LayoutName}, HeadDimension, Heads, KeyValueHeads, packed: {Lit.Bool(packed)},");
            writer.Line("    query.Lengths, query.Strides, key.Lengths, key.Strides, value.Lengths, value.Strides, output.Lengths, output.Strides,");
            writer.Line("    queryName, keyName, valueName, outputName);");
            if (packed)
            {
                writer.Line("int batch = Math.Max(0, sequenceStarts.Length - 1); // packed: B + 1 sequence starts (the span form checks them)");
            }

            writer.Line("RunBatched(Elements(query), Elements(key), Elements(value), Elements(output), batch,");
            writer.Line("    keyLengths, queryLengths, sequenceStarts, logSumExp, keyMask, mask,");
            writer.Line("    queryName, keyName, valueName, outputName, queryName, keyLengthsName, queryLengthsName, sequenceStartsName, logSumExpName, keyMaskName, maskName);");
            writer.Close();
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// The elements of a tensor that TensorShapes found dense and row-major: FlattenedLength floats from its first element");
            writer.Line("/// (TryGetSpan is not used: System.Numerics.Tensors 10 refuses it for a dense tensor with an inner dimension of length 1).");
            writer.Line("/// </summary>");
            writer.Line($"private static ReadOnlySpan<float> Elements({ReadOnlyTensor} tensor) =>");
            writer.Line("    tensor.IsEmpty ? default : MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), (int)tensor.FlattenedLength);");
            writer.Line();
            writer.Line("/// <summary>The elements of a dense, row-major output tensor, as <see cref=\"Elements(global::System.Numerics.Tensors.ReadOnlyTensorSpan{float})\"/>.</summary>");
            writer.Line($"private static Span<float> Elements({Tensor} tensor) =>");
            writer.Line("    tensor.IsEmpty ? default : MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), (int)tensor.FlattenedLength);");
        }
    }
}
