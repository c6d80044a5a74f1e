namespace KernelGen.Engine
{
    /// <summary>
    /// The standard ALiBi slope rule, written once: compiled into the runtime (<see cref="AlibiSlopes"/>, the kernels'
    /// slopes) and linked into the generator (netstandard2.0: the slopes a kernel's header lists).
    /// </summary>
    internal static class AlibiSlopeMath
    {
        /// <summary>
        /// Query head <paramref name="head"/>'s slope of <paramref name="heads"/> (arguments already checked): with n the
        /// largest power of two not above H, 2^(-8(h+1)/n) for h &lt; n, then 2^(-4(2(h-n)+1)/n), every other slope of 2n heads.
        /// </summary>
        public static double Exact(int head, int heads)
        {
            int n = 1;
            while (n * 2 <= heads)
            {
                n *= 2;
            }

            return head < n ? System.Math.Pow(2, -8.0 * (head + 1) / n) : System.Math.Pow(2, -4.0 * (2 * (head - n) + 1) / n);
        }
    }
}
