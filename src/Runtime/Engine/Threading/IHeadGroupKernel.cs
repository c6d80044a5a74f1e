using KernelGen.Engine;

namespace KernelGen
{
    /// <summary>
    /// Implemented by generated batched kernels: one key/value head of one batch item and the query heads that read it
    /// (<see cref="HeadGroup{TQuery, TKeyValue, TOutput}"/>), lengths already validated by the caller.
    /// <see cref="BatchedAttention"/> calls it once per (batch item, key/value head) with the item's valid rows only.
    /// </summary>
    public interface IHeadGroupKernel
    {
        /// <summary>
        /// Computes every query head of <paramref name="group"/> over its valid rows: output rows and, unless empty, their
        /// log-sum-exp; with the run-time masks and per-head score inputs the group carries (a kernel uses the ones it declares).
        /// </summary>
        static abstract void Run<TQuery, TKeyValue, TOutput>(scoped in HeadGroup<TQuery, TKeyValue, TOutput> group)
            where TQuery : unmanaged
            where TKeyValue : unmanaged
            where TOutput : unmanaged;
    }
}
