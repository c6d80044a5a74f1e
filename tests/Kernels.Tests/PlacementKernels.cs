// Kernels declared where users put them: nested and generic types, structs, records, instance methods, every
// accessibility, other parameter names, nullable off. If any of these did not compile, this project would not build.
#nullable disable
using System;
using KernelGen;

[assembly: CLSCompliant(false)]

/// <summary>A kernel in the global namespace.</summary>
public static partial class GlobalNamespaceKernels
{
    [AttentionKernel(16)]
    [CausalMask]
    public static partial void Run(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o);
}

namespace KernelGen.Kernels.Tests.Placement
{
    public partial struct Outer<T>
        where T : struct
    {
        internal partial class Inner
        {
            [AttentionKernel(8)]
            [SlidingWindow(2, 1)]
            internal partial void Instance(ReadOnlySpan<float> queries, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, Span<float> result);
        }
    }

    public partial record RecordHolder(int Id)
    {
        [AttentionKernel(5)]
        static partial void Implicit(ReadOnlySpan<float> @in, ReadOnlySpan<float> @ref, ReadOnlySpan<float> @out, Span<float> @class);

        public void CallImplicit(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o) => Implicit(q, k, v, o);
    }

    public readonly partial record struct ValueHolder
    {
        [AttentionKernel(12, Scale = 0.25f)]
        [CausalMask]
        private static partial void Hidden(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        public static void CallHidden(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o) => Hidden(q, k, v, o);
    }

    public partial class Holder
    {
        [AttentionKernel(12, Scale = 0.25f)]
        [CausalMask]
        protected internal static partial void Protected(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output);

        public static void CallProtected(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> o) => Protected(q, k, v, o);
    }
}
