using System.Threading;

namespace KernelGen.Engine
{
    /// <summary>Work split into numbered claims; every thread takes the next unclaimed one until none is left.</summary>
    internal abstract class ClaimJob : KernelWorkers.Job
    {
        private int _claims;
        private int _claimed;

        public sealed override void Cancel() => Volatile.Write(ref _claimed, _claims);

        public sealed override void Execute()
        {
            while (true)
            {
                int claim = Interlocked.Increment(ref _claimed) - 1;
                if (claim >= _claims)
                {
                    return;
                }

                Run(claim);
            }
        }

        /// <summary>Called by the preparing thread before the job is started; no worker reads the job then.</summary>
        protected void Reset(int claims)
        {
            _claims = claims;
            Volatile.Write(ref _claimed, 0);
        }

        protected abstract void Run(int claim);
    }
}
