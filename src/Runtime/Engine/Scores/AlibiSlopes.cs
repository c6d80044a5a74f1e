using System;
using KernelGen.Engine;

namespace KernelGen
{
    /// <summary>The standard ALiBi slopes of H heads (see <see cref="AlibiAttribute"/>), as float32 values.</summary>
    public static class AlibiSlopes
    {
        /// <summary>
        /// The slope of query head <paramref name="head"/> of <paramref name="heads"/>: <c>2^(-8(h+1)/H)</c> when H is a
        /// power of two; otherwise, with n the largest power of two below H, <c>2^(-8(h+1)/n)</c> for h &lt; n and
        /// <c>2^(-4(2(h-n)+1)/n)</c> after (every other slope of 2n heads, starting with the first). Exact in double.
        /// </summary>
        public static double Exact(int head, int heads)
        {
            if (heads < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(heads), heads, "There must be at least one head.");
            }

            if ((uint)head >= (uint)heads)
            {
                throw new ArgumentOutOfRangeException(nameof(head), head, $"The head must lie in 0..{heads - 1}.");
            }

            return Engine.AlibiSlopeMath.Exact(head, heads);
        }

        /// <summary>The H standard slopes rounded to float32, the values a kernel with [Alibi] uses and the reference widens.</summary>
        public static float[] Standard(int heads)
        {
            var slopes = new float[heads];
            for (int h = 0; h < heads; h++)
            {
                slopes[h] = (float)Exact(h, heads);
            }

            return slopes;
        }
    }
}
