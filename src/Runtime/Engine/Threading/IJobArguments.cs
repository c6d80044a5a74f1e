namespace KernelGen.Engine
{
    /// <summary>
    /// The arguments of a thread job: a ref struct of the caller's spans and values (<typeparamref name="TSelf"/>) and its
    /// pinned twin (<typeparamref name="TPinned"/>: the same as addresses and lengths, unmanaged, so the job object can hold
    /// it for the worker threads and give the ref struct back to each claim). The twin is made in one place,
    /// <see cref="RunPinned"/>, while every span is pinned.
    /// </summary>
    internal interface IJobArguments<TSelf, TPinned>
        where TSelf : IJobArguments<TSelf, TPinned>, allows ref struct
        where TPinned : unmanaged
    {
        /// <summary>
        /// Pins every span of <paramref name="arguments"/> and hands their twin to <paramref name="job"/>
        /// (<see cref="PinnedJob{TPinned, TPlan}.RunPinned"/>); the spans stay pinned until every thread is done.
        /// </summary>
        static abstract void RunPinned<TPlan>(scoped in TSelf arguments, PinnedJob<TPinned, TPlan> job);
    }
}
