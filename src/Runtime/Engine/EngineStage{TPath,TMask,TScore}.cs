using System;
using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen.Engine
{
    /// <summary>
    /// What every stage of the engine shares: the kernel's JIT-time constants (head dimension, mask shape, tile and
    /// chunk sizes), each row's key range under the mask, and how a finished row is written. The stages (the tile loop,
    /// single rows, long-row chunks, decode, key compaction) derive from it for its static members only, so their
    /// bodies name them unqualified; C# has no <c>using static</c> for an open generic type.
    /// </summary>
    internal abstract partial class EngineStage<TPath, TMask, TScore>
        where TPath : struct, IHeadDimensionPath
        where TMask : struct, IAttentionMask
        where TScore : struct, IScoreTransform
    {
        internal const int KeyBlock = AttentionEngine.KeyBlock;
        internal const int PackedBlockKeys = AttentionEngine.PackedBlockKeys;

        /// <summary>Floats of packed keys (and as many of values) per chunk: 64 KiB each, so a chunk of both stays in a 512 KiB L2.</summary>
        internal const int ChunkFloats = 16384;

        /// <summary>Keys per chunk of the tile walk: ChunkFloats / d in whole KeyBlocks (at least one).</summary>
        internal static int TileChunkKeys
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Math.Max(KeyBlock, ChunkFloats / D / KeyBlock * KeyBlock);
        }

        internal static int D
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TPath.HeadDimension;
        }

        internal static bool MasksNothing
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => !TMask.Causal && !TMask.HasWindow;
        }

        internal static bool HasGlobals
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => TMask.HasWindow && !TMask.GlobalPositions.IsEmpty;
        }

        /// <summary>Query rows from which 16-bit keys and values are widened whole rather than a block at a time per row.</summary>
        internal static int MinWidenedRows
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Math.Max(4, TPath.RowTile);
        }
    }
}
