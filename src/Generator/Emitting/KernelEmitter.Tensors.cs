using System.Linq;
using KernelGen.Generator.Model;
using KernelGen.Generator.Planning;

namespace KernelGen.Generator.Emitting
{
    internal static partial class KernelEmitter
    {
        /// <summary>The System.Numerics.Tensors read-only tensor of <paramref name="element"/>, as generated code spells it.</summary>
        private static string ReadOnlyTensor(string element) => $"global::System.Numerics.Tensors.ReadOnlyTensorSpan<{element}>";

        /// <summary>The System.Numerics.Tensors writable tensor of <paramref name="element"/>, as generated code spells it.</summary>
        private static string Tensor(string element) => $"global::System.Numerics.Tensors.TensorSpan<{element}>";

        /// <summary>The four tensors' types and names: query, key, value (read-only), output.</summary>
        private static string TensorParameters(KernelSpec spec, string query, string key, string value, string output) =>
            $"{ReadOnlyTensor(spec.QueryElement)} {query}, {ReadOnlyTensor(spec.KeyValueElement)} {key}, {ReadOnlyTensor(spec.KeyValueElement)} {value}, {Tensor(spec.OutputElement)} {output}";

        /// <summary>
        /// The tensor form beside the user's batched method: the same name and run-time parameters, query, key, value and
        /// output as tensors instead of spans, and no <c>int batch</c> (B is the tensors' first dimension). It hands
        /// everything to the kernel class (whose TensorInfo holds the names), so no local of the method can clash with a
        /// parameter name.
        /// </summary>
        private static void WriteTensorMethod(CodeWriter writer, KernelPlan plan, string version)
        {
            KernelSpec spec = plan.Spec;
            BatchSpec batch = spec.Batch!;
            string[] names = spec.ParameterNames.ToArray();
            string modifiers = spec.TensorModifiers.Length > 0 ? spec.TensorModifiers + " " : string.Empty;
            string declared = string.Concat(batch.RuntimeParameters.Select((p, i) => $", {RuntimeParameters.GlobalType(p)} {names[5 + i]}"));
            string shapes = batch.IsPacked ? "[total, H, d]" : batch.Layout == 1 ? "[B, H, N, d]" : "[B, N, H, d]";
            writer.Line();
            writer.Line($"/// <summary>The tensor form of {Lit.Xml(spec.MethodName)}: the same kernel, with query, key, value and output as System.Numerics.Tensors tensors.</summary>");
            writer.Line("/// <remarks>");
            writer.Line($"/// <para>Each tensor is {Lit.Xml(shapes)} ({(batch.IsPacked ? "packed" : batch.LayoutName)}), dense and row-major; {(batch.IsPacked ? "B comes from the sequence starts" : "B is the first dimension")}.");
            writer.Line("/// A tensor of another rank or head shape, or a strided or broadcast view (e.g. a slice of a fused QKV tensor), throws");
            writer.Line("/// ArgumentException naming the parameter before anything is written; then every check of the span form applies.</para>");
            writer.Line("/// </remarks>");
            writer.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"KernelGen\", {Lit.String(version)})]");
            string tensors = $"{(spec.IsExtension ? "this " : string.Empty)}{TensorParameters(spec, names[0], names[1], names[2], names[3])}";
            writer.Open($"{modifiers}void {spec.MethodName}({tensors}{declared})");
            string runtime = string.Concat(batch.RuntimeParameters.Select((_, i) => ", " + names[5 + i]));
            writer.Line($"global::{ImplementationNamespace}.{plan.ImplementationName}.RunTensors({names[0]}, {names[1]}, {names[2]}, {names[3]}{runtime});");
            writer.Close();
        }

        /// <summary>
        /// The kernel class's side of the tensor form: shape and stride checks against TensorInfo, then the span form on the
        /// tensors' elements. It takes the declared run-time parameters under their table names.
        /// </summary>
        private static void WriteRunTensors(CodeWriter writer, KernelSpec spec, BatchSpec batch)
        {
            string declared = string.Join(", ", batch.RuntimeParameters.Select(static p => $"{RuntimeParameters.GlobalType(p)} {p}"));
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// The tensor form: checks each tensor's rank, head count, head dimension and dense row-major strides (naming the");
            writer.Line("/// caller's parameter), then runs the span form on the tensors' elements.");
            writer.Line("/// </summary>");
            string tensors = TensorParameters(spec, "query", "key", "value", "output");
            writer.Line(batch.RuntimeParameters.IsEmpty ? $"public static void RunTensors({tensors})" : $"public static void RunTensors({tensors},");
            if (!batch.RuntimeParameters.IsEmpty)
            {
                writer.Line($"    {declared})");
            }

            writer.Open();
            writer.Line("// Validation: the tensors' shapes and strides against the layout, before anything is written.");
            writer.Line($"{(batch.IsPacked ? string.Empty : "int batch = ")}global::KernelGen.Engine.TensorShapes.ValidateBatched(TensorInfo, query.Lengths, query.Strides, key.Lengths, key.Strides,");
            writer.Line("    value.Lengths, value.Strides, output.Lengths, output.Strides);");
            if (batch.IsPacked)
            {
                writer.Line($"int batch = Math.Max(0, {batch.PackedStarts}.Length - 1); // packed: B + 1 sequence starts (the span form checks them)");
            }

            WriteArguments(writer, spec, $"{BatchedArgumentsType(spec)} arguments = ", "Elements(query), Elements(key), Elements(value), Elements(output), batch",
                batch, i => batch.RuntimeParameters[i], ";");
            writer.Line("global::KernelGen.Engine.BatchedShape shape = global::KernelGen.Engine.BatchedAttention.Validate(TensorInfo, arguments);");
            writer.Line("Run(TensorInfo, shape, arguments);");
            writer.Close();
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// The elements of a tensor that TensorShapes found dense and row-major: FlattenedLength elements from its first one");
            writer.Line("/// (TryGetSpan is not used: System.Numerics.Tensors 10 refuses it for a dense tensor with an inner dimension of length 1).");
            writer.Line("/// </summary>");
            writer.Line($"private static ReadOnlySpan<T> Elements<T>({ReadOnlyTensor("T")} tensor) =>");
            writer.Line("    tensor.IsEmpty ? default : MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), (int)tensor.FlattenedLength);");
            writer.Line();
            writer.Line("/// <summary>The elements of a dense, row-major output tensor, as <see cref=\"Elements{T}(global::System.Numerics.Tensors.ReadOnlyTensorSpan{T})\"/>.</summary>");
            writer.Line($"private static Span<T> Elements<T>({Tensor("T")} tensor) =>");
            writer.Line("    tensor.IsEmpty ? default : MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), (int)tensor.FlattenedLength);");
        }
    }
}
