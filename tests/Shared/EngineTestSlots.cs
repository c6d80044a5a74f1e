using System;
using KernelGen.Engine;

namespace KernelGen.Tests
{
    /// <summary>
    /// Hand-written engine slots for tests that drive <see cref="AttentionEngine{TPath, TMask, TScore}"/> directly: a path
    /// of any head dimension and row tile (so every tile width runs on any machine, the JIT emulating a width the
    /// processor lacks), masks with every static part, a window, run-time masks only or none, and a score transform with
    /// every modifier. Linked into Runtime.Tests and Kernels.Tests.
    /// </summary>
    public static class EngineTestSlots
    {
        /// <summary>The score scale of <see cref="TestPath{TDim, TTile}"/>.</summary>
        public const float Scale = 0.3f;

        public interface IConstant
        {
            static abstract int Value { get; }
        }

        public readonly struct Eight : IConstant
        {
            public static int Value => 8;
        }

        public readonly struct Four : IConstant
        {
            public static int Value => 4;
        }

        public readonly struct Two : IConstant
        {
            public static int Value => 2;
        }

        public readonly struct Zero : IConstant
        {
            public static int Value => 0;
        }

        public readonly struct D37 : IConstant
        {
            public static int Value => 37;
        }

        /// <summary>32 + 16 + 8 + 4 + 1: every column loop of every tile's accumulate (pairs of vectors, one vector, narrower, scalar).</summary>
        public readonly struct D61 : IConstant
        {
            public static int Value => 61;
        }

        public readonly struct D64 : IConstant
        {
            public static int Value => 64;
        }

        public readonly struct D128 : IConstant
        {
            public static int Value => 128;
        }

        /// <summary>A plain scalar path of d = TDim.Value whose tiles are the engine's TTile.Value-row ones.</summary>
        public readonly struct TestPath<TDim, TTile> : IHeadDimensionPath
            where TDim : struct, IConstant
            where TTile : struct, IConstant
        {
            public static int HeadDimension => TDim.Value;

            public static float ScoreScale => Scale;

            public static int RowTile => TTile.Value;

            public static void ScoreBlock(ref float queryVector, ref float keyRows, Span<float> scores)
            {
                int d = TDim.Value;
                for (int t = 0; t < scores.Length; t++)
                {
                    float dot = 0f;
                    for (int c = 0; c < d; c++)
                    {
                        dot += System.Runtime.CompilerServices.Unsafe.Add(ref queryVector, c) * System.Runtime.CompilerServices.Unsafe.Add(ref keyRows, t * d + c);
                    }

                    scores[t] = dot * Scale;
                }
            }

            public static void AccumulateBlock(Span<float> accumulator, float correction, ReadOnlySpan<float> weights, ref float valueRows)
            {
                int d = TDim.Value;
                for (int c = 0; c < d; c++)
                {
                    float sum = accumulator[c] * correction;
                    for (int t = 0; t < weights.Length; t++)
                    {
                        sum += weights[t] * System.Runtime.CompilerServices.Unsafe.Add(ref valueRows, t * d + c);
                    }

                    accumulator[c] = sum;
                }
            }

            static void IHeadDimensionPath.ScoreTile(ref float queryRows, ref float packedBlock, Span<float> scores) =>
                TileWidths<TestPath<TDim, TTile>>.ScoreTile(ref queryRows, ref packedBlock, scores);

            static void IHeadDimensionPath.ScoreTilePair(ref float queryRows, ref float packedBlock, Span<float> scores) =>
                TileWidths<TestPath<TDim, TTile>>.ScoreTilePair(ref queryRows, ref packedBlock, scores);

            static void IHeadDimensionPath.AccumulateTile(Span<float> accumulators, ReadOnlySpan<float> corrections, ReadOnlySpan<float> weights, ref float valueRows, int keyCount) =>
                TileWidths<TestPath<TDim, TTile>>.AccumulateTile(accumulators, corrections, weights, ref valueRows, keyCount);
        }

        /// <summary>Causal, window (40, 0), globals {0, 3}, run-time masks.</summary>
        public readonly struct EveryPartMask : IAttentionMask
        {
            public static bool Causal => true;

            public static bool HasWindow => true;

            public static int WindowLeft => 40;

            public static int WindowRight => 0;

            public static ReadOnlySpan<int> GlobalPositions => new int[] { 0, 3 };

            public static bool HasRuntimeMasks => true;
        }

        /// <summary>Causal, window (40, 0), no globals, run-time masks: keyMask alone takes the compacted path.</summary>
        public readonly struct WindowMask : IAttentionMask
        {
            public static bool Causal => true;

            public static bool HasWindow => true;

            public static int WindowLeft => 40;

            public static int WindowRight => 0;

            public static ReadOnlySpan<int> GlobalPositions => default;

            public static bool HasRuntimeMasks => true;
        }

        /// <summary>No static mask; run-time masks only.</summary>
        public readonly struct RuntimeOnlyMask : IAttentionMask
        {
            public static bool Causal => false;

            public static bool HasWindow => false;

            public static int WindowLeft => 0;

            public static int WindowRight => 0;

            public static ReadOnlySpan<int> GlobalPositions => default;

            public static bool HasRuntimeMasks => true;
        }

        /// <summary>No static mask, no run-time masks.</summary>
        public readonly struct NoMask : IAttentionMask
        {
            public static bool Causal => false;

            public static bool HasWindow => false;

            public static int WindowLeft => 0;

            public static int WindowRight => 0;

            public static ReadOnlySpan<int> GlobalPositions => default;

            public static bool HasRuntimeMasks => false;
        }

        /// <summary>Every score modifier at once: a run-time scale, softcap 2, ALiBi, a bias and sinks.</summary>
        public readonly struct EveryScore : IScoreFeatures
        {
            public static bool RuntimeScale => true;

            public static float Softcap => 2f;

            public static bool Alibi => true;

            public static bool Bias => true;

            public static bool Sinks => true;
        }
    }
}
