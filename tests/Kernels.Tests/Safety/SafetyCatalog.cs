using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static KernelGen.Kernels.Tests.Safety.RawArgs;

namespace KernelGen.Kernels.Tests.Safety
{
    /// <summary>
    /// The kernels the safety tests run, one or more per family: single-head (d = 1, 8, 61, 64, 128), single-head with a
    /// run-time scale, single-head 16-bit, batched with padding (GQA, both layouts, d = 1 .. 128), packed (sequenceStarts,
    /// and separate query and key starts), score terms (softcap, ALiBi with slopes, bias, sinks, log-sum-exp, scale) and
    /// 16-bit batched. Together they take every run-time span a kernel can declare.
    /// </summary>
    public static class SafetyCatalog
    {
        public const string Single = "single", SingleScale = "single-scale", Single16 = "single-16bit", Batched = "batched", Packed = "packed", Score = "score",
            Batched16 = "batched-16bit";

        private static readonly Lazy<Dictionary<string, SafetyCase>> Cases = new(Load);

        public static IEnumerable<SafetyCase> All => Cases.Value.Values;

        public static SafetyCase Get(string name) => Cases.Value[name];

        public static TheoryData<string> Names() => new(Cases.Value.Keys.OrderBy(static n => n, StringComparer.Ordinal));

        private static Dictionary<string, SafetyCase> Load()
        {
            var list = new List<SafetyCase>
            {
                // Single-head, float.
                SafetyCase.Of(typeof(TestKernels), "D1_Causal", Single, static (ref RawArgs a) =>
                    TestKernels.D1_Causal(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output))),
                SafetyCase.Of(typeof(SafetyKernels), "D8_Causal", Single, static (ref RawArgs a) =>
                    SafetyKernels.D8_Causal(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output))),
                SafetyCase.Of(typeof(SafetyKernels), "D61_WindowGlobals", Single, static (ref RawArgs a) =>
                    SafetyKernels.D61_WindowGlobals(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output))),
                SafetyCase.Of(typeof(TestKernels), "D64_Window3x7Globals", Single, static (ref RawArgs a) =>
                    TestKernels.D64_Window3x7Globals(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output))),
                SafetyCase.Of(typeof(TestKernels), "D128_Full", Single, static (ref RawArgs a) =>
                    TestKernels.D128_Full(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output))),

                // Single-head with a run-time scale (and softcap).
                SafetyCase.Of(typeof(ScoreKernels), "Single_RuntimeScale_WindowGlobals", SingleScale, static (ref RawArgs a) =>
                    ScoreKernels.Single_RuntimeScale_WindowGlobals(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Scale)),
                SafetyCase.Of(typeof(ScoreKernels), "Single_SoftcapScale_Causal", SingleScale, static (ref RawArgs a) =>
                    ScoreKernels.Single_SoftcapScale_Causal(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Scale)),

                // Single-head, 16-bit.
                SafetyCase.Of(typeof(StorageKernels), "HalfCache_Causal128", Single16, static (ref RawArgs a) =>
                    StorageKernels.HalfCache_Causal128(In<float>(a.Query), In<Half>(a.Key), In<Half>(a.Value), Out<float>(a.Output))),
                SafetyCase.Of(typeof(StorageKernels), "BFloat16All_CausalWindowGlobals64", Single16, static (ref RawArgs a) =>
                    StorageKernels.BFloat16All_CausalWindowGlobals64(In<BFloat16>(a.Query), In<BFloat16>(a.Key), In<BFloat16>(a.Value), Out<BFloat16>(a.Output))),
                SafetyCase.Of(typeof(StorageKernels), "HalfAll_SoftcapScale37", Single16, static (ref RawArgs a) =>
                    StorageKernels.HalfAll_SoftcapScale37(In<Half>(a.Query), In<Half>(a.Key), In<Half>(a.Value), Out<Half>(a.Output), a.Scale)),

                // Batched with padding, GQA, both layouts, run-time masks.
                SafetyCase.Of(typeof(SafetyKernels), "H2_D8_KeyLengths", Batched, static (ref RawArgs a) =>
                    SafetyKernels.H2_D8_KeyLengths(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch, In<int>(a.KeyLengths))),
                SafetyCase.Of(typeof(SafetyKernels), "H4Kv2_D1_Causal_BothLengths_Lse", Batched, static (ref RawArgs a) =>
                    SafetyKernels.H4Kv2_D1_Causal_BothLengths_Lse(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<int>(a.KeyLengths), In<int>(a.QueryLengths), Out<float>(a.LogSumExp))),
                SafetyCase.Of(typeof(SafetyKernels), "H2Kv1_D128_Window_Bhsd_KeyMask_Lse", Batched, static (ref RawArgs a) =>
                    SafetyKernels.H2Kv1_D128_Window_Bhsd_KeyMask_Lse(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<bool>(a.KeyMask), Out<float>(a.LogSumExp))),
                SafetyCase.Of(typeof(BatchedKernels), "H4Kv2_Causal_BothLengths_Lse", Batched, static (ref RawArgs a) =>
                    BatchedKernels.H4Kv2_Causal_BothLengths_Lse(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<int>(a.KeyLengths), In<int>(a.QueryLengths), Out<float>(a.LogSumExp))),
                SafetyCase.Of(typeof(BatchedKernels), "H8Kv1_CausalWindowGlobals_Bhsd_KeyLengths", Batched, static (ref RawArgs a) =>
                    BatchedKernels.H8Kv1_CausalWindowGlobals_Bhsd_KeyLengths(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<int>(a.KeyLengths))),
                SafetyCase.Of(typeof(BatchedKernels), "H2Kv2_WindowGlobals_Bhsd_QueryLengths_KeyMask_Mask", Batched, static (ref RawArgs a) =>
                    BatchedKernels.H2Kv2_WindowGlobals_Bhsd_QueryLengths_KeyMask_Mask(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<int>(a.QueryLengths), In<bool>(a.KeyMask), In<bool>(a.Mask))),
                SafetyCase.Of(typeof(BatchedKernels), "H1Kv1_Causal_KeyMask_Mask_Lse", Batched, static (ref RawArgs a) =>
                    BatchedKernels.H1Kv1_Causal_KeyMask_Mask_Lse(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<bool>(a.KeyMask), In<bool>(a.Mask), Out<float>(a.LogSumExp))),
                SafetyCase.Of(typeof(BatchedKernels), "H4Kv4_Full_Mask", Batched, static (ref RawArgs a) =>
                    BatchedKernels.H4Kv4_Full_Mask(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch, In<bool>(a.Mask))),

                // Packed.
                SafetyCase.Of(typeof(SafetyKernels), "H2_D61_Causal_Packed", Packed, static (ref RawArgs a) =>
                    SafetyKernels.H2_D61_Causal_Packed(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch, In<int>(a.SequenceStarts))),
                SafetyCase.Of(typeof(BatchedKernels), "H4Kv2_Causal_Packed", Packed, static (ref RawArgs a) =>
                    BatchedKernels.H4Kv2_Causal_Packed(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch, In<int>(a.SequenceStarts))),
                SafetyCase.Of(typeof(BatchedKernels), "H2Kv2_WindowGlobals_Packed", Packed, static (ref RawArgs a) =>
                    BatchedKernels.H2Kv2_WindowGlobals_Packed(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        Out<float>(a.LogSumExp), In<int>(a.SequenceStarts))),
                SafetyCase.Of(typeof(ScoreKernels), "PackedPair_Causal", Packed, static (ref RawArgs a) =>
                    ScoreKernels.PackedPair_Causal(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        Out<float>(a.LogSumExp), In<int>(a.QuerySequenceStarts), In<int>(a.KeySequenceStarts))),
                SafetyCase.Of(typeof(ScoreKernels), "PackedPair_Everything", Packed, static (ref RawArgs a) =>
                    ScoreKernels.PackedPair_Everything(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        Out<float>(a.LogSumExp), In<int>(a.QuerySequenceStarts), In<int>(a.KeySequenceStarts), a.Scale, In<float>(a.Sinks))),

                // Score terms.
                SafetyCase.Of(typeof(ScoreKernels), "Everything", Score, static (ref RawArgs a) =>
                    ScoreKernels.Everything(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<int>(a.KeyLengths), In<int>(a.QueryLengths), In<bool>(a.KeyMask), In<bool>(a.Mask), Out<float>(a.LogSumExp),
                        a.Scale, In<float>(a.AlibiSlopes), In<float>(a.Bias), In<float>(a.Sinks))),
                SafetyCase.Of(typeof(ScoreKernels), "Bias_Full_Masks", Score, static (ref RawArgs a) =>
                    ScoreKernels.Bias_Full_Masks(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<bool>(a.KeyMask), In<bool>(a.Mask), Out<float>(a.LogSumExp), In<float>(a.Bias))),
                SafetyCase.Of(typeof(ScoreKernels), "BiasSinks_Causal_Bhsd_Lengths", Score, static (ref RawArgs a) =>
                    ScoreKernels.BiasSinks_Causal_Bhsd_Lengths(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<int>(a.KeyLengths), In<int>(a.QueryLengths), Out<float>(a.LogSumExp), In<float>(a.Bias), In<float>(a.Sinks))),
                SafetyCase.Of(typeof(ScoreKernels), "Alibi_WindowGlobals_Slopes", Score, static (ref RawArgs a) =>
                    ScoreKernels.Alibi_WindowGlobals_Slopes(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        Out<float>(a.LogSumExp), In<float>(a.AlibiSlopes))),
                SafetyCase.Of(typeof(ScoreKernels), "Sinks_KeyMask", Score, static (ref RawArgs a) =>
                    ScoreKernels.Sinks_KeyMask(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch,
                        In<bool>(a.KeyMask), Out<float>(a.LogSumExp), In<float>(a.Sinks))),
                SafetyCase.Of(typeof(ScoreKernels), "Softcap_Full", Score, static (ref RawArgs a) =>
                    ScoreKernels.Softcap_Full(In<float>(a.Query), In<float>(a.Key), In<float>(a.Value), Out<float>(a.Output), a.Batch, Out<float>(a.LogSumExp))),

                // Batched, 16-bit.
                SafetyCase.Of(typeof(BatchedStorageKernels), "HalfCache_Gqa8x2_CausalWindowGlobals", Batched16, static (ref RawArgs a) =>
                    BatchedStorageKernels.HalfCache_Gqa8x2_CausalWindowGlobals(In<float>(a.Query), In<Half>(a.Key), In<Half>(a.Value), Out<float>(a.Output), a.Batch,
                        In<int>(a.KeyLengths), In<int>(a.QueryLengths), Out<float>(a.LogSumExp))),
                SafetyCase.Of(typeof(BatchedStorageKernels), "BFloat16All_Gqa4x1_Bhsd_Masks_Sinks", Batched16, static (ref RawArgs a) =>
                    BatchedStorageKernels.BFloat16All_Gqa4x1_Bhsd_Masks_Sinks(In<BFloat16>(a.Query), In<BFloat16>(a.Key), In<BFloat16>(a.Value), Out<BFloat16>(a.Output), a.Batch,
                        In<bool>(a.KeyMask), In<bool>(a.Mask), Out<float>(a.LogSumExp), In<float>(a.Sinks))),
                SafetyCase.Of(typeof(BatchedStorageKernels), "HalfAll_Gqa4x2_Packed_Alibi", Batched16, static (ref RawArgs a) =>
                    BatchedStorageKernels.HalfAll_Gqa4x2_Packed_Alibi(In<Half>(a.Query), In<Half>(a.Key), In<Half>(a.Value), Out<Half>(a.Output), a.Batch,
                        In<int>(a.SequenceStarts))),
                SafetyCase.Of(typeof(BatchedStorageKernels), "BFloat16Cache_HalfOutput_Bias_Softcap", Batched16, static (ref RawArgs a) =>
                    BatchedStorageKernels.BFloat16Cache_HalfOutput_Bias_Softcap(In<float>(a.Query), In<BFloat16>(a.Key), In<BFloat16>(a.Value), Out<Half>(a.Output), a.Batch,
                        In<int>(a.KeyLengths), In<float>(a.Bias))),
                SafetyCase.Of(typeof(BatchedStorageKernels), "HalfCache_Gqa8x2_Bhsd_D61", Batched16, static (ref RawArgs a) =>
                    BatchedStorageKernels.HalfCache_Gqa8x2_Bhsd_D61(In<float>(a.Query), In<Half>(a.Key), In<Half>(a.Value), Out<float>(a.Output), a.Batch)),
            };
            return list.ToDictionary(static c => c.Name, StringComparer.Ordinal);
        }
    }
}
