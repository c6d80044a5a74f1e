namespace KernelGen.Engine
{
    /// <summary>
    /// Implemented by the engine's long-row loops: the online-softmax state of one query row over fixed chunks of its key
    /// range, so <see cref="AttentionThreading.ForKeyChunks{TKernel}"/> can spread a long row (a decode step) over threads.
    /// </summary>
    internal interface IKeyChunkKernel
    {
        /// <summary>
        /// Writes the states of chunks [<paramref name="chunkStart"/>, <paramref name="chunkEnd"/>) of the row's keys to
        /// <see cref="KeyChunkArguments.Partials"/> (chunk c at c x (d + 2): the unnormalised accumulator, d floats, then the
        /// chunk's max score, then its sum of e^(s - max)).
        /// </summary>
        static abstract void Run(scoped in KeyChunkArguments arguments, int chunkStart, int chunkEnd);
    }
}
