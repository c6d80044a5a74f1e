using System;
using System.Linq;
using KernelGen.MiniLM;

byte[] bytes = ModelResources.ReadModel();
OnnxModel model = OnnxModel.Parse(bytes);
Console.WriteLine($"inputs {string.Join(",", model.Inputs)} outputs {string.Join(",", model.Outputs)} nodes {model.Nodes.Count} initializers {model.Initializers.Count}");
foreach (var t in model.Initializers.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
{
    Console.WriteLine($"init {t.Name} type {t.DataType} [{string.Join(",", t.Dimensions)}] raw {t.RawData.Length}");
}
foreach (var n in model.Nodes)
{
    string attrs = string.Join(" ", n.Attributes.Select(a => $"{a.Key}={a.Value.Float}/{a.Value.Integer}/[{string.Join(",", a.Value.Integers)}]{(a.Value.Tensor is null ? "" : "T" + a.Value.Tensor.DataType + "[" + string.Join(",", a.Value.Tensor.Dimensions) + "]=" + (a.Value.Tensor.DataType == 1 ? string.Join(",", a.Value.Tensor.ToFloats().Select(f => f.ToString("R"))) : string.Join(",", a.Value.Tensor.ToInt64s())))}"));
    Console.WriteLine($"{n.OperatorType} {n.Name} ({string.Join(", ", n.Inputs)}) -> ({string.Join(", ", n.Outputs)}) {attrs}");
}
