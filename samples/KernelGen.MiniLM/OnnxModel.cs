using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace KernelGen.MiniLM
{
    /// <summary>A tensor of an ONNX file: its name, element type, shape and where its raw little-endian bytes are.</summary>
    internal sealed record OnnxTensor(string Name, int DataType, long[] Dimensions, ReadOnlyMemory<byte> RawData, float[]? FloatData, long[]? Int64Data)
    {
        /// <summary>ONNX TensorProto.DataType FLOAT.</summary>
        public const int FloatType = 1;

        /// <summary>ONNX TensorProto.DataType INT64.</summary>
        public const int Int64Type = 7;

        public long ElementCount
        {
            get
            {
                long count = 1;
                foreach (long dimension in Dimensions)
                {
                    count *= dimension;
                }

                return count;
            }
        }

        /// <summary>The values as floats (copied); throws unless the tensor is float32.</summary>
        public float[] ToFloats()
        {
            if (DataType != FloatType)
            {
                throw new InvalidOperationException($"Tensor {Name} has ONNX data type {DataType}, not float.");
            }

            if (FloatData is not null)
            {
                return (float[])FloatData.Clone();
            }

            // raw_data is little-endian; so is every machine .NET 10 runs on, so the bytes are the floats.
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("Reading ONNX raw_data needs a little-endian machine.");
            }

            return MemoryMarshal.Cast<byte, float>(RawData.Span).ToArray();
        }

        /// <summary>The values as 64-bit integers (copied); throws unless the tensor is int64.</summary>
        public long[] ToInt64s()
        {
            if (DataType != Int64Type)
            {
                throw new InvalidOperationException($"Tensor {Name} has ONNX data type {DataType}, not int64.");
            }

            return Int64Data is not null ? (long[])Int64Data.Clone() : MemoryMarshal.Cast<byte, long>(RawData.Span).ToArray();
        }
    }

    /// <summary>One graph node: operator, inputs and outputs by value name, and the attributes this sample reads.</summary>
    internal sealed record OnnxNode(string Name, string OperatorType, string[] Inputs, string[] Outputs, Dictionary<string, OnnxAttribute> Attributes);

    /// <summary>An attribute value: a float, an integer, a list of integers or a tensor (whichever the attribute holds).</summary>
    internal sealed record OnnxAttribute(float Float, long Integer, long[] Integers, OnnxTensor? Tensor);

    /// <summary>
    /// The graph of an ONNX model (onnx.proto: ModelProto.graph), parsed straight from the protobuf bytes: nodes in file
    /// order (ONNX requires topological order), initializers by name, input and output names. Tensor data is not copied.
    /// </summary>
    internal sealed class OnnxModel
    {
        // Field numbers from onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).
        private const int ModelGraph = 7;
        private const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
        private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOperatorType = 4, NodeAttribute = 5;
        private const int AttributeName = 1, AttributeFloat = 2, AttributeInteger = 3, AttributeTensor = 5, AttributeIntegers = 8;
        private const int TensorDimensions = 1, TensorDataType = 2, TensorFloatData = 4, TensorInt64Data = 7, TensorName = 8, TensorRawData = 9, TensorDataLocation = 14;
        private const int ValueInfoName = 1;

        private OnnxModel(List<OnnxNode> nodes, Dictionary<string, OnnxTensor> initializers, List<string> inputs, List<string> outputs)
        {
            Nodes = nodes;
            Initializers = initializers;
            Inputs = inputs;
            Outputs = outputs;
        }

        public IReadOnlyList<OnnxNode> Nodes { get; }

        public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }

        /// <summary>Graph input names, initializers excluded (older exports list initializers as inputs too).</summary>
        public IReadOnlyList<string> Inputs { get; }

        public IReadOnlyList<string> Outputs { get; }

        public static OnnxModel Parse(ReadOnlyMemory<byte> model)
        {
            var reader = new ProtobufReader(model.Span);
            while (reader.TryReadKey(out int field, out int wireType))
            {
                if (field == ModelGraph && wireType == ProtobufReader.LengthDelimited)
                {
                    (int offset, int length) = reader.ReadBytesRange();
                    return ParseGraph(model.Slice(offset, length));
                }

                reader.Skip(wireType);
            }

            throw new InvalidOperationException("The ONNX model has no graph.");
        }

        private static OnnxModel ParseGraph(ReadOnlyMemory<byte> graph)
        {
            var nodes = new List<OnnxNode>();
            var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            var inputs = new List<string>();
            var outputs = new List<string>();
            var reader = new ProtobufReader(graph.Span);
            while (reader.TryReadKey(out int field, out int wireType))
            {
                if (wireType != ProtobufReader.LengthDelimited)
                {
                    reader.Skip(wireType);
                    continue;
                }

                (int offset, int length) = reader.ReadBytesRange();
                ReadOnlyMemory<byte> payload = graph.Slice(offset, length);
                switch (field)
                {
                    case GraphNode:
                        nodes.Add(ParseNode(payload));
                        break;
                    case GraphInitializer:
                        OnnxTensor tensor = ParseTensor(payload);
                        initializers.Add(tensor.Name, tensor);
                        break;
                    case GraphInput:
                        inputs.Add(ParseValueInfoName(payload.Span));
                        break;
                    case GraphOutput:
                        outputs.Add(ParseValueInfoName(payload.Span));
                        break;
                }
            }

            inputs.RemoveAll(initializers.ContainsKey);
            return new OnnxModel(nodes, initializers, inputs, outputs);
        }

        private static OnnxNode ParseNode(ReadOnlyMemory<byte> node)
        {
            var inputs = new List<string>();
            var outputs = new List<string>();
            var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
            string name = "", operatorType = "";
            var reader = new ProtobufReader(node.Span);
            while (reader.TryReadKey(out int field, out int wireType))
            {
                switch (field)
                {
                    case NodeInput:
                        inputs.Add(reader.ReadString());
                        break;
                    case NodeOutput:
                        outputs.Add(reader.ReadString());
                        break;
                    case NodeName:
                        name = reader.ReadString();
                        break;
                    case NodeOperatorType:
                        operatorType = reader.ReadString();
                        break;
                    case NodeAttribute:
                        (int offset, int length) = reader.ReadBytesRange();
                        (string attributeName, OnnxAttribute attribute) = ParseAttribute(node.Slice(offset, length));
                        attributes[attributeName] = attribute;
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }

            return new OnnxNode(name, operatorType, inputs.ToArray(), outputs.ToArray(), attributes);
        }

        private static (string Name, OnnxAttribute Attribute) ParseAttribute(ReadOnlyMemory<byte> attribute)
        {
            string name = "";
            float floatValue = 0;
            long integer = 0;
            var integers = new List<long>();
            OnnxTensor? tensor = null;
            var reader = new ProtobufReader(attribute.Span);
            while (reader.TryReadKey(out int field, out int wireType))
            {
                switch (field)
                {
                    case AttributeName:
                        name = reader.ReadString();
                        break;
                    case AttributeFloat when wireType == ProtobufReader.Fixed32:
                        floatValue = reader.ReadFixedFloat();
                        break;
                    case AttributeInteger when wireType == ProtobufReader.Varint:
                        integer = reader.ReadInt64();
                        break;
                    case AttributeIntegers:
                        ReadInt64s(ref reader, wireType, integers);
                        break;
                    case AttributeTensor when wireType == ProtobufReader.LengthDelimited:
                        (int offset, int length) = reader.ReadBytesRange();
                        tensor = ParseTensor(attribute.Slice(offset, length));
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }

            return (name, new OnnxAttribute(floatValue, integer, integers.ToArray(), tensor));
        }

        private static OnnxTensor ParseTensor(ReadOnlyMemory<byte> tensor)
        {
            string name = "";
            int dataType = 0;
            var dimensions = new List<long>();
            var floats = new List<float>();
            var int64s = new List<long>();
            ReadOnlyMemory<byte> raw = default;
            var reader = new ProtobufReader(tensor.Span);
            while (reader.TryReadKey(out int field, out int wireType))
            {
                switch (field)
                {
                    case TensorDimensions:
                        ReadInt64s(ref reader, wireType, dimensions);
                        break;
                    case TensorDataType:
                        dataType = (int)reader.ReadVarint();
                        break;
                    case TensorFloatData when wireType == ProtobufReader.LengthDelimited:
                        // Packed floats: 4 little-endian bytes each.
                        foreach (float value in MemoryMarshal.Cast<byte, float>(reader.ReadBytes()))
                        {
                            floats.Add(value);
                        }

                        break;
                    case TensorFloatData when wireType == ProtobufReader.Fixed32:
                        floats.Add(reader.ReadFixedFloat());
                        break;
                    case TensorInt64Data:
                        ReadInt64s(ref reader, wireType, int64s);
                        break;
                    case TensorName:
                        name = reader.ReadString();
                        break;
                    case TensorRawData:
                        (int offset, int length) = reader.ReadBytesRange();
                        raw = tensor.Slice(offset, length);
                        break;
                    case TensorDataLocation when wireType == ProtobufReader.Varint:
                        if (reader.ReadVarint() != 0)
                        {
                            throw new NotSupportedException($"Tensor {name} keeps its data in an external file; only self-contained models are read.");
                        }

                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }

            return new OnnxTensor(name, dataType, dimensions.ToArray(), raw, floats.Count > 0 ? floats.ToArray() : null, int64s.Count > 0 ? int64s.ToArray() : null);
        }

        /// <summary>A repeated int64 field, packed (one length-delimited run of varints) or not (one varint per key).</summary>
        private static void ReadInt64s(ref ProtobufReader reader, int wireType, List<long> values)
        {
            if (wireType == ProtobufReader.Varint)
            {
                values.Add(reader.ReadInt64());
                return;
            }

            var packed = new ProtobufReader(reader.ReadBytes());
            while (!packed.AtEnd)
            {
                values.Add(packed.ReadInt64());
            }
        }

        private static string ParseValueInfoName(ReadOnlySpan<byte> valueInfo)
        {
            var reader = new ProtobufReader(valueInfo);
            while (reader.TryReadKey(out int field, out int wireType))
            {
                if (field == ValueInfoName)
                {
                    return reader.ReadString();
                }

                reader.Skip(wireType);
            }

            return "";
        }
    }
}
