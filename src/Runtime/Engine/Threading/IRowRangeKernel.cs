namespace KernelGen.Engine
{
    /// <summary>
    /// Implemented by the engine's row loops (the tile walk, single rows): computes query rows [rowStart, rowEnd) (whole
    /// row groups) of one call, whose arguments <see cref="AttentionThreading"/> may hand to several threads at once. Each
    /// row is written by exactly one call.
    /// </summary>
    internal interface IRowRangeKernel
    {
        /// <summary>
        /// Computes output rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) with the keys from
        /// <see cref="RowRangeArguments.PackedFirstKey"/> on already packed into <see cref="RowRangeArguments.PackedKeys"/>,
        /// and each row's log-sum-exp unless that span is empty.
        /// </summary>
        static abstract void Run(scoped in RowRangeArguments arguments, int rowStart, int rowEnd);
    }
}
