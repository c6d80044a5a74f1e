using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace KernelGen.Bench
{
    /// <summary>
    /// ONNX Runtime (Microsoft.ML.OnnxRuntime 1.31.1, CPU) as a peer: a one-node model made here, com.microsoft
    /// <c>MultiHeadAttention</c> (full mask) or <c>GroupQueryAttention</c> (causal, optionally with local_window_size), one
    /// head of d on [1, N, d] inputs, float32. One intra-op thread pool of the given size and no spinning, so idle ORT
    /// threads do not run during another peer's measurement.
    /// </summary>
    public sealed class OrtPeer : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly List<NamedOnnxValue> _inputs;

        /// <param name="window">For GroupQueryAttention: the keys a query sees, itself included (local_window_size; -1 for all).</param>
        public OrtPeer(string op, int n, int d, float[] query, float[] key, float[] value, int threads, int window = -1)
        {
            byte[] model = op == "MultiHeadAttention" ? MhaModel(n, d) : GqaModel(n, d, window);
            var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            _session = new InferenceSession(model, options);
            options.Dispose();
            _inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("query", new DenseTensor<float>(query, new[] { 1, n, d })),
                NamedOnnxValue.CreateFromTensor("key", new DenseTensor<float>(key, new[] { 1, n, d })),
                NamedOnnxValue.CreateFromTensor("value", new DenseTensor<float>(value, new[] { 1, n, d })),
            };
            if (op != "MultiHeadAttention")
            {
                _inputs.Add(NamedOnnxValue.CreateFromTensor("seqlens_k", new DenseTensor<int>(new[] { n - 1 }, new[] { 1 })));
                _inputs.Add(NamedOnnxValue.CreateFromTensor("total_sequence_length", new DenseTensor<int>(new[] { n }, new[] { 1 })));
            }
        }

        /// <summary>One run; copies the output into <paramref name="output"/> when given.</summary>
        public void Run(float[]? output = null)
        {
            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = _session.Run(_inputs);
            if (output is not null)
            {
                ((DenseTensor<float>)results[0].AsTensor<float>()).Buffer.Span.CopyTo(output);
            }
        }

        public void Dispose() => _session.Dispose();

        private static byte[] MhaModel(int n, int d)
        {
            byte[] node = Node("MultiHeadAttention", new[] { "query", "key", "value" }, new[] { "output" }, Attribute("num_heads", 1));
            return Model(node, new[] { Input("query", 1, 1, n, d), Input("key", 1, 1, n, d), Input("value", 1, 1, n, d) }, new[] { Input("output", 1, 1, n, d) });
        }

        private static byte[] GqaModel(int n, int d, int window)
        {
            // query, key, value, past_key, past_value (absent: a prefill), seqlens_k [1] = total - 1, total_sequence_length [].
            byte[] node = Node("GroupQueryAttention", new[] { "query", "key", "value", "", "", "seqlens_k", "total_sequence_length" },
                new[] { "output", "present_key", "present_value" }, Attribute("num_heads", 1), Attribute("kv_num_heads", 1), Attribute("local_window_size", window));
            return Model(node,
                new[] { Input("query", 1, 1, n, d), Input("key", 1, 1, n, d), Input("value", 1, 1, n, d), Input("seqlens_k", 6, 1), Input("total_sequence_length", 6, 1) },
                new[] { Input("output", 1, 1, n, d) });
        }

        // Protobuf, by hand: ModelProto(ir_version 1, opset_import 8, graph 7), GraphProto(node 1, name 2, input 11, output 12),
        // NodeProto(input 1, output 2, op_type 4, attribute 5, domain 7), AttributeProto(name 1, i 3, type 20 = INT 2),
        // ValueInfoProto(name 1, type 2), TypeProto(tensor_type 1), Tensor(elem_type 1, shape 2), Shape(dim 1), Dim(dim_value 1).
        private static byte[] Model(byte[] node, byte[][] inputs, byte[][] outputs)
        {
            var graph = new MemoryStream();
            Bytes(graph, 1, node);
            Bytes(graph, 2, Encoding.UTF8.GetBytes("peer"));
            foreach (byte[] input in inputs)
            {
                Bytes(graph, 11, input);
            }

            foreach (byte[] output in outputs)
            {
                Bytes(graph, 12, output);
            }

            var model = new MemoryStream();
            Varint(model, 1, 8);
            Bytes(model, 8, Opset(string.Empty, 17));
            Bytes(model, 8, Opset("com.microsoft", 1));
            Bytes(model, 7, graph.ToArray());
            return model.ToArray();
        }

        private static byte[] Opset(string domain, long version)
        {
            var stream = new MemoryStream();
            Bytes(stream, 1, Encoding.UTF8.GetBytes(domain));
            Varint(stream, 2, (ulong)version);
            return stream.ToArray();
        }

        private static byte[] Node(string op, string[] inputs, string[] outputs, params byte[][] attributes)
        {
            var stream = new MemoryStream();
            foreach (string input in inputs)
            {
                Bytes(stream, 1, Encoding.UTF8.GetBytes(input));
            }

            foreach (string output in outputs)
            {
                Bytes(stream, 2, Encoding.UTF8.GetBytes(output));
            }

            Bytes(stream, 4, Encoding.UTF8.GetBytes(op));
            foreach (byte[] attribute in attributes)
            {
                Bytes(stream, 5, attribute);
            }

            Bytes(stream, 7, Encoding.UTF8.GetBytes("com.microsoft"));
            return stream.ToArray();
        }

        private static byte[] Attribute(string name, long value)
        {
            var stream = new MemoryStream();
            Bytes(stream, 1, Encoding.UTF8.GetBytes(name));
            Varint(stream, 3, unchecked((ulong)value));
            Varint(stream, 20, 2);
            return stream.ToArray();
        }

        /// <summary>A tensor value: its name, element type (1 float, 6 int32) and dimensions.</summary>
        private static byte[] Input(string name, int elementType, params int[] dims)
        {
            var shape = new MemoryStream();
            foreach (int dim in dims)
            {
                var dimension = new MemoryStream();
                Varint(dimension, 1, (ulong)dim);
                Bytes(shape, 1, dimension.ToArray());
            }

            var tensor = new MemoryStream();
            Varint(tensor, 1, (ulong)elementType);
            Bytes(tensor, 2, shape.ToArray());
            var type = new MemoryStream();
            Bytes(type, 1, tensor.ToArray());
            var info = new MemoryStream();
            Bytes(info, 1, Encoding.UTF8.GetBytes(name));
            Bytes(info, 2, type.ToArray());
            return info.ToArray();
        }

        private static void Varint(Stream stream, int field, ulong value)
        {
            WriteRaw(stream, (ulong)(field << 3));
            WriteRaw(stream, value);
        }

        private static void Bytes(Stream stream, int field, byte[] payload)
        {
            WriteRaw(stream, (ulong)((field << 3) | 2));
            WriteRaw(stream, (ulong)payload.Length);
            stream.Write(payload);
        }

        private static void WriteRaw(Stream stream, ulong value)
        {
            while (value >= 0x80)
            {
                stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            stream.WriteByte((byte)value);
        }
    }
}
