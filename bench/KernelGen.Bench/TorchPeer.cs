using System;
using TorchSharp;
using static TorchSharp.torch;

namespace KernelGen.Bench
{
    /// <summary>
    /// TorchSharp 0.107.0 (libtorch 2.10.0 CPU) <c>scaled_dot_product_attention</c> on [1, 1, N, d] tensors made once.
    /// Full masks (and masks that allow every pair) pass nothing, causal masks with Nq = Nk pass <c>is_causal</c>, everything else (windows, globals, and
    /// causal with Nq != Nk, where PyTorch aligns top-left and KernelGen bottom-right) passes a dense boolean attn_mask
    /// built from <see cref="AttentionSpec.IsAllowed"/>, the form a PyTorch user would write.
    /// </summary>
    public sealed class TorchPeer : IDisposable
    {
        private static bool s_loaded;
        private readonly Tensor _query;
        private readonly Tensor _key;
        private readonly Tensor _value;
        private readonly Tensor? _mask;
        private readonly bool _causal;
        private readonly int _headDimension;

        public TorchPeer(AttentionSpec spec, float[] query, float[] key, float[] value, int threads)
        {
            EnsureLoaded();
            torch.set_num_threads(threads);
            _headDimension = spec.HeadDimension;
            int queries = query.Length / _headDimension;
            int keys = key.Length / _headDimension;
            _query = torch.tensor(query, new long[] { 1, 1, queries, _headDimension });
            _key = torch.tensor(key, new long[] { 1, 1, keys, _headDimension });
            _value = torch.tensor(value, new long[] { 1, 1, keys, _headDimension });
            bool plainCausal = spec.Causal && spec.Window is null && spec.GlobalPositions.Count == 0 && queries == keys;
            bool full = !spec.Causal && spec.Window is null;
            _causal = plainCausal;
            if (!plainCausal && !full)
            {
                bool[] allowed = new bool[queries * keys];
                bool everything = true;
                for (int i = 0; i < queries; i++)
                {
                    for (int j = 0; j < keys; j++)
                    {
                        allowed[i * keys + j] = spec.IsAllowed(i, j, queries, keys);
                        everything &= allowed[i * keys + j];
                    }
                }

                // A mask that allows every pair (a causal decode step: one query, bottom-right aligned) is left out,
                // as a PyTorch user would.
                _mask = everything ? null : torch.tensor(allowed, new long[] { queries, keys });
            }
        }

        /// <summary>One SDPA call; the result tensor is disposed at once.</summary>
        public void Run()
        {
            using Tensor result = torch.nn.functional.scaled_dot_product_attention(_query, _key, _value, _mask, 0.0, _causal);
        }

        /// <summary>One SDPA call copied out to <paramref name="output"/> (for the correctness check).</summary>
        public void Run(float[] output)
        {
            using Tensor result = torch.nn.functional.scaled_dot_product_attention(_query, _key, _value, _mask, 0.0, _causal);
            result.data<float>().CopyTo(output, 0);
        }

        public void Dispose()
        {
            _query.Dispose();
            _key.Dispose();
            _value.Dispose();
            _mask?.Dispose();
        }

        private static void EnsureLoaded()
        {
            if (!s_loaded)
            {
                LibTorchLoader.Prepare();
                s_loaded = true;
            }
        }
    }
}
