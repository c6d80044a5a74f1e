using System.ComponentModel;

namespace KernelGen.Engine
{
    /// <summary>The engine's fixed sizes, shared by the generated paths and the loops of <see cref="AttentionEngine{TPath, TMask, TScore}"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class AttentionEngine
    {
        /// <summary>Keys scored between two online-softmax updates: a tile's width, and a single row's block.</summary>
        public const int KeyBlock = OnlineSoftmax.BlockSize;

        /// <summary>The most query rows a path's tile micro-kernel may take at once (the engine's scratch is sized for it).</summary>
        public const int MaxRowTile = 8;

        /// <summary>Keys in a packed block, the unit of a tile's mask status (skipped, full or partial).</summary>
        public const int PackedBlockKeys = KeyPacking.PackedBlockKeys;
    }
}
