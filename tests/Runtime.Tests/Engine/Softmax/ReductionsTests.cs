using System;
using System.Linq;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    public sealed class ReductionsTests
    {
        [Fact]
        public void MaxAndSum_MatchLinq_ForEveryLengthAndOffset()
        {
            float[] data = Enumerable.Range(0, 140).Select(i => (float)Math.Sin(i * 1.3) * 10).ToArray();
            for (int start = 0; start < 3; start++)
            {
                for (int length = 0; length + start <= 137; length++)
                {
                    float[] slice = data.AsSpan(start, length).ToArray();
                    Assert.Equal(length == 0 ? float.NegativeInfinity : slice.Max(), Reductions.Max(slice));
                    // Float accumulation: the error bound grows with the length and the magnitudes summed.
                    double exact = slice.Select(x => (double)x).Sum();
                    double bound = 1e-6 * length * slice.Select(x => (double)Math.Abs(x)).DefaultIfEmpty().Max() + 1e-6;
                    Assert.True(Math.Abs(exact - Reductions.Sum(slice)) <= bound, $"start {start} length {length}: {Reductions.Sum(slice)} vs {exact}");
                }
            }
        }

        [Fact]
        public void Max_PropagatesNaN_InVectorAndTailParts()
        {
            float[] data = new float[37];
            data[5] = float.NaN;
            Assert.True(float.IsNaN(Reductions.Max(data)));
            data[5] = 0;
            data[36] = float.NaN;
            Assert.True(float.IsNaN(Reductions.Max(data)));
        }
    }
}
