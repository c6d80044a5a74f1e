using System;
using System.Collections.Generic;

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
    /// taken from the ONNX graph. Biases and LayerNorm parameters keep their PyTorch names; the export renamed the MatMul
    /// weights to numbers (onnx::MatMul_927 ...), so each one is found through the graph: the bias named
    /// encoder.layer.k.X.bias is added (Add node) to the output of exactly one MatMul, whose initializer input is X's weight.
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

        public static MiniLMWeights Load(OnnxModel model)
        {
            var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
            foreach (OnnxNode node in model.Nodes)
            {
                foreach (string output in node.Outputs)
                {
                    producers[output] = node;
                }
            }

            float[] Floats(string name, params long[] shape)
            {
                if (!model.Initializers.TryGetValue(name, out OnnxTensor? tensor))
                {
                    throw new InvalidOperationException($"The model has no initializer {name}.");
                }

                if (!tensor.Dimensions.AsSpan().SequenceEqual(shape))
                {
                    throw new InvalidOperationException($"Initializer {name} has shape [{string.Join(", ", tensor.Dimensions)}], expected [{string.Join(", ", shape)}].");
                }

                return tensor.ToFloats();
            }

            DenseLayer Dense(string prefix, int inputs, int outputs)
            {
                string biasName = prefix + ".bias";
                float[] bias = Floats(biasName, outputs);
                OnnxTensor weight = MatMulWeightAddedTo(model, producers, biasName);
                if (weight.Dimensions.Length != 2 || weight.Dimensions[0] != inputs || weight.Dimensions[1] != outputs)
                {
                    throw new InvalidOperationException($"The weight of {prefix} ({weight.Name}) has shape [{string.Join(", ", weight.Dimensions)}], expected [{inputs}, {outputs}].");
                }

                return new DenseLayer(PackedMatrix.Pack(weight.ToFloats(), inputs, outputs), bias);
            }

            LayerNormParameters Norm(string prefix) =>
                new(Floats(prefix + ".weight", HiddenSize), Floats(prefix + ".bias", HiddenSize), LayerNormEpsilon(model, producers, prefix + ".weight"));

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

            long vocabulary = model.Initializers.TryGetValue("embeddings.word_embeddings.weight", out OnnxTensor? words) ? words.Dimensions[0] : 0;
            return new MiniLMWeights(
                Floats("embeddings.word_embeddings.weight", vocabulary, HiddenSize),
                Floats("embeddings.position_embeddings.weight", MaxPositions, HiddenSize),
                Floats("embeddings.token_type_embeddings.weight", 2, HiddenSize),
                Norm("embeddings.LayerNorm"),
                layers);
        }

        /// <summary>The weight initializer of the MatMul whose output the bias <paramref name="biasName"/> is added to.</summary>
        private static OnnxTensor MatMulWeightAddedTo(OnnxModel model, Dictionary<string, OnnxNode> producers, string biasName)
        {
            OnnxTensor? found = null;
            foreach (OnnxNode node in model.Nodes)
            {
                if (node.OperatorType != "Add" || node.Inputs.Length != 2 || Array.IndexOf(node.Inputs, biasName) < 0)
                {
                    continue;
                }

                string other = node.Inputs[0] == biasName ? node.Inputs[1] : node.Inputs[0];
                if (producers.TryGetValue(other, out OnnxNode? matMul) && matMul.OperatorType == "MatMul")
                {
                    foreach (string input in matMul.Inputs)
                    {
                        if (model.Initializers.TryGetValue(input, out OnnxTensor? weight))
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
        private static float LayerNormEpsilon(OnnxModel model, Dictionary<string, OnnxNode> producers, string scaleName)
        {
            foreach (OnnxNode node in model.Nodes)
            {
                if (node.OperatorType != "Mul" || Array.IndexOf(node.Inputs, scaleName) < 0)
                {
                    continue;
                }

                string normalized = node.Inputs[0] == scaleName ? node.Inputs[1] : node.Inputs[0];
                if (producers.TryGetValue(normalized, out OnnxNode? divide) && divide.OperatorType == "Div"
                    && producers.TryGetValue(divide.Inputs[1], out OnnxNode? root) && root.OperatorType == "Sqrt"
                    && producers.TryGetValue(root.Inputs[0], out OnnxNode? add) && add.OperatorType == "Add")
                {
                    foreach (string input in add.Inputs)
                    {
                        if (ScalarConstant(model, producers, input) is float epsilon)
                        {
                            return epsilon;
                        }
                    }
                }
            }

            throw new InvalidOperationException($"The LayerNorm with scale {scaleName} was not found in the graph.");
        }

        private static float? ScalarConstant(OnnxModel model, Dictionary<string, OnnxNode> producers, string name)
        {
            OnnxTensor? tensor = model.Initializers.TryGetValue(name, out OnnxTensor? initializer) ? initializer
                : producers.TryGetValue(name, out OnnxNode? node) && node.OperatorType == "Constant" && node.Attributes.TryGetValue("value", out OnnxAttribute? value) ? value.Tensor
                : null;
            return tensor is { DataType: OnnxTensor.FloatType, ElementCount: 1 } ? tensor.ToFloats()[0] : null;
        }
    }
}
