namespace KernelGen.Engine
{
    /// <summary>
    /// A claim job over one call's arguments, pinned by the calling thread: <typeparamref name="TPinned"/> is their pinned
    /// twin (see <see cref="IJobArguments{TSelf, TPinned}"/>), <typeparamref name="TPlan"/> what decides the claims (a row
    /// range, a chunk count). One instance per kernel type, used by whichever call holds the workers
    /// (<see cref="AttentionThreading"/>'s TryShare), so a call allocates nothing.
    /// </summary>
    internal abstract class PinnedJob<TPinned, TPlan> : ClaimJob
        where TPinned : unmanaged
    {
        private TPinned _arguments;
        private int _threads;

        /// <summary>The call's arguments as addresses and lengths; their spans stay pinned until the job ends.</summary>
        protected ref readonly TPinned Arguments => ref _arguments;

        /// <summary>Sets the claims for <paramref name="threads"/> threads; called by the thread holding the workers, before any worker reads the job.</summary>
        public void Plan(in TPlan plan, int threads)
        {
            _threads = threads;
            Reset(Claims(plan, threads));
        }

        /// <summary>
        /// Runs the job over <paramref name="arguments"/> on the planned threads, the caller among them; called inside the
        /// block that pins the spans (<see cref="IJobArguments{TSelf, TPinned}.RunPinned"/>), returns when every thread is done.
        /// </summary>
        public void RunPinned(in TPinned arguments)
        {
            _arguments = arguments;
            KernelWorkers.Run(this, _threads);
        }

        /// <summary>How many claims <paramref name="plan"/> makes on <paramref name="threads"/> threads; keeps what <see cref="ClaimJob.Run"/> needs of it.</summary>
        protected abstract int Claims(in TPlan plan, int threads);
    }
}
