using System;
using System.Collections.Generic;
using Microsoft.ML.OnnxRuntime;

namespace KernelGen.MiniLM
{
    /// <summary>
    /// The same model run by ONNX Runtime (CPU, default graph optimisations) on the same ids: input_ids, attention_mask
    /// (1 for real tokens, 0 for padding) and token_type_ids (all 0), int64 [B, N]; output last_hidden_state [B, N, 384].
    /// </summary>
    internal sealed class OrtEncoder : IDisposable
    {
        private const string LastHiddenState = "last_hidden_state";
        private static readonly string[] s_inputNames = ["input_ids", "attention_mask", "token_type_ids"];
        private static readonly string[] s_outputNames = [LastHiddenState];

        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();

        /// <summary>
        /// One intra-op thread pool of <paramref name="threads"/>, no inter-op parallelism, and no spinning: idle ORT threads
        /// sleep instead of burning the cores the C# encoder is being timed on.
        /// </summary>
        public OrtEncoder(byte[] model, int threads)
        {
            using var options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            _session = new InferenceSession(model, options);
            foreach (string name in s_inputNames)
            {
                if (!_session.InputMetadata.ContainsKey(name))
                {
                    throw new InvalidOperationException($"The model has no input {name}.");
                }
            }
        }

        /// <summary>
        /// Runs the padded batch; returns the last hidden state of the real tokens, [T, 384] in batch order (as
        /// <see cref="MiniLMEncoder.Encode"/> returns it), and writes the pooled, normalised embeddings.
        /// </summary>
        public float[] Encode(TokenBatch batch, Span<float> embeddings)
        {
            const int hidden = MiniLMWeights.HiddenSize;
            long[] shape = [batch.Count, batch.Positions];
            long[] mask = new long[batch.Ids.Length];
            long[] types = new long[batch.Ids.Length];
            for (int item = 0; item < batch.Count; item++)
            {
                mask.AsSpan(item * batch.Positions, batch.Lengths[item]).Fill(1);
            }

            using OrtValue idValue = OrtValue.CreateTensorValueFromMemory(batch.Ids, shape);
            using OrtValue maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using OrtValue typeValue = OrtValue.CreateTensorValueFromMemory(types, shape);
            using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(_runOptions, s_inputNames, new List<OrtValue> { idValue, maskValue, typeValue }, s_outputNames);
            ReadOnlySpan<float> lastHidden = outputs[0].GetTensorDataAsSpan<float>();
            if (lastHidden.Length != batch.Count * batch.Positions * hidden)
            {
                throw new InvalidOperationException($"{LastHiddenState} has {lastHidden.Length} floats, expected {batch.Count} x {batch.Positions} x {hidden}.");
            }

            float[] real = new float[batch.TokenCount * hidden];
            int row = 0;
            for (int item = 0; item < batch.Count; item++)
            {
                int length = batch.Lengths[item];
                lastHidden.Slice(item * batch.Positions * hidden, length * hidden).CopyTo(real.AsSpan(row * hidden));
                row += length;
            }

            SentencePooling.MeanPoolAndNormalize(real, batch.Lengths, embeddings);
            return real;
        }

        public void Dispose()
        {
            _session.Dispose();
            _runOptions.Dispose();
        }
    }
}
