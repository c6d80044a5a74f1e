using System;
using System.Threading;

namespace KernelGen.Engine
{
    /// <summary>
    /// Dedicated background threads for kernel calls (started on first use, one fewer than the processor count).
    /// One job runs at a time: a caller that finds the workers busy computes alone instead of waiting. The caller always
    /// takes part and returns only after every woken worker has finished, so pinned spans never outlive the call.
    /// </summary>
    internal static class KernelWorkers
    {
        private static readonly object s_startLock = new();
        private static Worker[]? s_workers;
        private static int s_busy;
        private static int s_pending;
        private static readonly ManualResetEventSlim s_done = new(false, spinCount: 2000);

        private static long s_parallelRuns;

        /// <summary>How many calls have run on more than one thread (for tests).</summary>
        internal static long ParallelRuns => Interlocked.Read(ref s_parallelRuns);

        /// <summary>Threads available to one call: the caller plus the workers.</summary>
        public static int MaxThreads => Environment.ProcessorCount;

        public static bool TryAcquire() => Interlocked.CompareExchange(ref s_busy, 1, 0) == 0;

        public static void Release() => Volatile.Write(ref s_busy, 0);

        /// <summary>Runs <paramref name="job"/> on <paramref name="threads"/> threads including the caller; returns when all are done.</summary>
        public static void Run(Job job, int threads)
        {
            Worker[] workers = EnsureStarted();
            int helpers = Math.Min(threads - 1, workers.Length);
            if (helpers > 0)
            {
                Interlocked.Increment(ref s_parallelRuns);
            }

            s_done.Reset();
            Volatile.Write(ref s_pending, helpers);
            job.Failure = null;
            for (int i = 0; i < helpers; i++)
            {
                workers[i].Start(job);
            }

            try
            {
                job.Execute();
            }
            catch
            {
                job.Cancel(); // the helpers stop at their next claim
                throw;
            }
            finally
            {
                // Even if this thread's share failed, the workers still hold the pinned spans: wait for them first.
                if (helpers > 0)
                {
                    s_done.Wait();
                }
            }

            if (job.Failure is { } failure)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
        }

        private static Worker[] EnsureStarted()
        {
            Worker[]? workers = Volatile.Read(ref s_workers);
            if (workers is not null)
            {
                return workers;
            }

            lock (s_startLock)
            {
                if (s_workers is null)
                {
                    var created = new Worker[Math.Max(0, Environment.ProcessorCount - 1)];
                    for (int i = 0; i < created.Length; i++)
                    {
                        created[i] = new Worker(i);
                    }

                    Volatile.Write(ref s_workers, created);
                }

                return s_workers;
            }
        }

        /// <summary>Work that several threads run at once; each call of <see cref="Execute"/> takes what is left.</summary>
        public abstract class Job
        {
            /// <summary>The first exception a worker hit; rethrown on the calling thread once every worker is done.</summary>
            public Exception? Failure;

            public abstract void Execute();

            /// <summary>Makes every later claim find no work left.</summary>
            public abstract void Cancel();
        }

        private sealed class Worker
        {
            private readonly ManualResetEventSlim _wake = new(false, spinCount: 2000);
            private Job? _job;

            public Worker(int index)
            {
                var thread = new Thread(Loop) { IsBackground = true, Name = $"KernelGen worker {index + 1}" };
                thread.Start();
            }

            public void Start(Job job)
            {
                Volatile.Write(ref _job, job);
                _wake.Set();
            }

            private void Loop()
            {
                while (true)
                {
                    _wake.Wait();
                    _wake.Reset();
                    Job? job = Volatile.Read(ref _job);
                    try
                    {
                        job?.Execute();
                    }
                    catch (Exception exception) when (job is not null)
                    {
                        // Never let an exception end a worker (that would end the process): hand it to the caller.
                        Interlocked.CompareExchange(ref job.Failure, exception, null);
                        job.Cancel();
                    }
                    finally
                    {
                        if (Interlocked.Decrement(ref s_pending) == 0)
                        {
                            s_done.Set();
                        }
                    }
                }
            }
        }
    }
}
