using System;

namespace KernelGen.Engine
{
    /// <summary>
    /// A span pinned by the calling thread, as worker threads see it: its address and length. Valid only while the
    /// caller's <c>fixed</c> block runs, which ends after every worker is done (<see cref="PinnedJob{TPinned, TPlan}"/>).
    /// </summary>
    internal readonly unsafe struct PinnedSpan<T>
        where T : unmanaged
    {
        private readonly T* _pointer;
        private readonly int _length;

        public PinnedSpan(T* pointer, int length)
        {
            _pointer = pointer;
            _length = length;
        }

        public ReadOnlySpan<T> Read => new(_pointer, _length);

        public Span<T> Write => new(_pointer, _length);
    }
}
