using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Onnx;

namespace KernelGen.MiniLM
{
    /// <summary>A dense layer y = x W + b with W stored [inputs, outputs] (as the ONNX MatMul reads it) and packed for <see cref="MatrixMultiply"/>.</summary>
    internal sealed record DenseLayer(PackedMatrix Weight, float[] Bias);

    /// <summary>LayerNorm parameters: y = (x - mean) / sqrt(variance + epsilon) * Scale + Bias, over the hidden dimension.</summary>
    internal sealed record LayerNormParameters(float[] Scale, float[] Bias, float Epsilon);

    /// <summary>One BERT encoder layer: self-attention projections, output projection, feed-forward, and their two LayerNorms.</summary>
    internal sealed record EncoderLayer(
        DenseLayer Query,
        DenseLayer Key,
        DenseLayer Value,
        DenseLayer AttentionOutput,
        LayerNormParameters AttentionNorm,
        DenseLayer Intermediate,
        DenseLayer Output,
        LayerNormParameters OutputNorm);

    /// <summary>
    /// The weights of all-MiniLM-L6-v2 (BERT: 6 layers, hidden 384, 12 heads of 32, feed-forward 1536, 512 positions),
    /// taken from the ONNX graph as OnnxSharp parses it. Biases and LayerNorm parameters keep their PyTorch names; the
    /// export renamed the MatMul weights to numbers (onnx::MatMul_927 ...), so each one is found through the graph: the
    /// bias named encoder.layer.k.X.bias is added (Add node) to the output of exactly one MatMul, whose initializer input
    /// is X's weight.
    /// LayerNorm is exported as ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add; epsilon is read from the Add before Sqrt.
    /// </summary>
    internal sealed class MiniLMWeights
    {
        public const int HiddenSize = 384;
        public const int Heads = 12;
        public const int HeadDimension = 32;
        public const int IntermediateSize = 1536;
        public const int LayerCount = 6;
        public const int MaxPositions = 512;

        private MiniLMWeights(float[] wordEmbeddings, float[] positionEmbeddings, float[] tokenTypeEmbeddings, LayerNormParameters embeddingNorm, EncoderLayer[] layers)
        {
            WordEmbeddings = wordEmbeddings;
            PositionEmbeddings = positionEmbeddings;
            TokenTypeEmbeddings = tokenTypeEmbeddings;
            EmbeddingNorm = embeddingNorm;
            Layers = layers;
        }

        /// <summary>[vocabulary, 384].</summary>
        public float[] WordEmbeddings { get; }

        /// <summary>[512, 384].</summary>
        public float[] PositionEmbeddings { get; }

        /// <summary>[2, 384]; every token here has type 0 (single sentences).</summary>
        public float[] TokenTypeEmbeddings { get; }

        public LayerNormParameters EmbeddingNorm { get; }

        public IReadOnlyList<EncoderLayer> Layers { get; }

        public int VocabularySize => WordEmbeddings.Length / HiddenSize;

        /// <summary>Reads the weights from an ONNX model parsed by OnnxSharp (<see cref="ModelProto"/>, protobuf classes generated from onnx.proto).</summary>
        public static MiniLMWeights Load(ModelProto model)
        {
            GraphProto graph = model.Graph ?? throw new InvalidOperationException("The ONNX model has no graph.");
            var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
            foreach (TensorProto initializer in graph.Initializer)
            {
                initializers.Add(initializer.Name, initializer);
            }

            var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
            foreach (NodeProto node in graph.Node)
            {
                foreach (string output in node.Output)
                {
                    producers[output] = node;
                }
            }

            var onnx = new OnnxGraph(graph.Node, initializers, producers);

            float[] Floats(string name, params long[] shape)
            {
                if (!initializers.TryGetValue(name, out TensorProto? tensor))
                {
                    throw new InvalidOperationException($"The model has no initializer {name}.");
                }

                if (!tensor.Dims.SequenceEqual(shape))
                {
                    throw new InvalidOperationException($"Initializer {name} has shape [{string.Join(", ", tensor.Dims)}], expected [{string.Join(", ", shape)}].");
                }

                return ToFloats(tensor);
            }

            DenseLayer Dense(string prefix, int inputs, int outputs)
            {
                string biasName = prefix + ".bias";
                float[] bias = Floats(biasName, outputs);
                TensorProto weight = MatMulWeightAddedTo(onnx, biasName);
                if (weight.Dims.Count != 2 || weight.Dims[0] != inputs || weight.Dims[1] != outputs)
                {
                    throw new InvalidOperationException($"The weight of {prefix} ({weight.Name}) has shape [{string.Join(", ", weight.Dims)}], expected [{inputs}, {outputs}].");
                }

                return new DenseLayer(PackedMatrix.Pack(ToFloats(weight), inputs, outputs), bias);
            }

            LayerNormParameters Norm(string prefix) =>
                new(Floats(prefix + ".weight", HiddenSize), Floats(prefix + ".bias", HiddenSize), LayerNormEpsilon(onnx, prefix + ".weight"));

            var layers = new EncoderLayer[LayerCount];
            for (int layer = 0; layer < LayerCount; layer++)
            {
                string prefix = $"encoder.layer.{layer}.";
                layers[layer] = new EncoderLayer(
                    Dense(prefix + "attention.self.query", HiddenSize, HiddenSize),
                    Dense(prefix + "attention.self.key", HiddenSize, HiddenSize),
                    Dense(prefix + "attention.self.value", HiddenSize, HiddenSize),
                    Dense(prefix + "attention.output.dense", HiddenSize, HiddenSize),
                    Norm(prefix + "attention.output.LayerNorm"),
                    Dense(prefix + "intermediate.dense", HiddenSize, IntermediateSize),
                    Dense(prefix + "output.dense", IntermediateSize, HiddenSize),
                    Norm(prefix + "output.LayerNorm"));
            }

            long vocabulary = initializers.TryGetValue("embeddings.word_embeddings.weight", out TensorProto? words) && words.Dims.Count > 0 ? words.Dims[0] : 0;
            return new MiniLMWeights(
                Floats("embeddings.word_embeddings.weight", vocabulary, HiddenSize),
                Floats("embeddings.position_embeddings.weight", MaxPositions, HiddenSize),
                Floats("embeddings.token_type_embeddings.weight", 2, HiddenSize),
                Norm("embeddings.LayerNorm"),
                layers);
        }

        /// <summary>
        /// A float32 tensor's values (copied): from float_data when the exporter wrote them there, else from raw_data
        /// (little-endian, as every machine .NET 10 runs on). Data kept in an external file is refused.
        /// </summary>
        private static float[] ToFloats(TensorProto tensor)
        {
            if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            {
                throw new InvalidOperationException($"Tensor {tensor.Name} has ONNX data type {tensor.DataType}, not float.");
            }

            if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            {
                throw new NotSupportedException($"Tensor {tensor.Name} keeps its data in an external file; only self-contained models are read.");
            }

            long count = 1;
            foreach (long dimension in tensor.Dims)
            {
                count *= dimension;
            }

            float[] values = tensor.FloatData.Count > 0 ? [.. tensor.FloatData] : MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
            return values.Length == count ? values
                : throw new InvalidOperationException($"Tensor {tensor.Name} holds {values.Length} floats; its shape [{string.Join(", ", tensor.Dims)}] needs {count}.");
        }

        /// <summary>The weight initializer of the MatMul whose output the bias <paramref name="biasName"/> is added to.</summary>
        private static TensorProto MatMulWeightAddedTo(OnnxGraph graph, string biasName)
        {
            TensorProto? found = null;
            foreach (NodeProto node in graph.Nodes)
            {
                if (node.OpType != "Add" || node.Input.Count != 2 || !node.Input.Contains(biasName))
                {
                    continue;
                }

                string other = node.Input[0] == biasName ? node.Input[1] : node.Input[0];
                if (graph.Producers.TryGetValue(other, out NodeProto? matMul) && matMul.OpType == "MatMul")
                {
                    foreach (string input in matMul.Input)
                    {
                        if (graph.Initializers.TryGetValue(input, out TensorProto? weight))
                        {
                            found = found is null ? weight : throw new InvalidOperationException($"More than one MatMul weight is added to {biasName}.");
                        }
                    }
                }
            }

            return found ?? throw new InvalidOperationException($"No MatMul output is added to {biasName}.");
        }

        /// <summary>
        /// Epsilon of the exported LayerNorm whose scale is <paramref name="scaleName"/>: Mul(Div(centered, Sqrt(Add(variance, epsilon))), scale).
        /// </summary>
        private static float LayerNormEpsilon(OnnxGraph graph, string scaleName)
        {
            foreach (NodeProto node in graph.Nodes)
            {
                if (node.OpType != "Mul" || node.Input.Count != 2 || !node.Input.Contains(scaleName))
                {
                    continue;
                }

                string normalized = node.Input[0] == scaleName ? node.Input[1] : node.Input[0];
                if (graph.Producers.TryGetValue(normalized, out NodeProto? divide) && divide.OpType == "Div" && divide.Input.Count == 2
                    && graph.Producers.TryGetValue(divide.Input[1], out NodeProto? root) && root.OpType == "Sqrt"
                    && graph.Producers.TryGetValue(root.Input[0], out NodeProto? add) && add.OpType == "Add")
                {
                    foreach (string input in add.Input)
                    {
                        if (ScalarConstant(graph, input) is float epsilon)
                        {
                            return epsilon;
                        }
                    }
                }
            }

            throw new InvalidOperationException($"The LayerNorm with scale {scaleName} was not found in the graph.");
        }

        /// <summary>A one-element float from an initializer or from a Constant node's value attribute; null if it is neither.</summary>
        private static float? ScalarConstant(OnnxGraph graph, string name)
        {
            TensorProto? tensor = graph.Initializers.TryGetValue(name, out TensorProto? initializer) ? initializer
                : graph.Producers.TryGetValue(name, out NodeProto? node) && node.OpType == "Constant" ? node.Attribute.FirstOrDefault(attribute => attribute.Name == "value")?.T
                : null;
            if (tensor is null || tensor.DataType != (int)TensorProto.Types.DataType.Float)
            {
                return null;
            }

            float[] values = ToFloats(tensor);
            return values.Length == 1 ? values[0] : null;
        }

        /// <summary>The graph's nodes (in file order, which ONNX requires to be topological), initializers by name, and each value's producing node.</summary>
        private sealed record OnnxGraph(IReadOnlyList<NodeProto> Nodes, Dictionary<string, TensorProto> Initializers, Dictionary<string, NodeProto> Producers);
    }
}
