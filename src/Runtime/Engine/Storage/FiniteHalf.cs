using System;
using System.Runtime.InteropServices;

namespace KernelGen.Engine
{
    /// <summary>
    /// An f16 value that a caller has checked is finite (<see cref="Widening.AllFinite(ReadOnlySpan{Half})"/>): the same
    /// bits as <see cref="Half"/>, read through the 4-operation widening. Never exposed: spans are reinterpreted as it only
    /// after the check.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 2)]
    internal readonly struct FiniteHalf
    {
    }
}
