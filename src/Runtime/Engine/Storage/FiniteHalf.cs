using System;
using System.Runtime.InteropServices;

namespace KernelGen.Engine
{
    /// <summary>
    /// An f16 value read as finite: the same bits as <see cref="Half"/>, read through the 4-operation widening. Never
    /// exposed: spans are reinterpreted as it only after a check (<see cref="Widening.AllFinite(ReadOnlySpan{Half})"/>) or
    /// by loops that test it in their own loads and take a block that held an infinity or a NaN again with the exact
    /// widening (<see cref="SplitRows512{TPath, TElement}"/>, <see cref="SplitRows256{TPath, TElement}"/>, the GQA decode tiles).
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 2)]
    internal readonly struct FiniteHalf
    {
    }
}
