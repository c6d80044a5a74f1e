using System;
using System.Linq;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    public sealed class OnlineSoftmaxTests
    {
        [Theory]
        [InlineData(1)]
        [InlineData(7)]
        [InlineData(16)]
        [InlineData(64)]
        public void BlockwiseUpdates_EqualOneSoftmax(int blockSize)
        {
            var random = new Random(blockSize);
            double[] scores = Enumerable.Range(0, 301).Select(_ => random.NextDouble() * 40 - 20).ToArray();
            double[] values = Enumerable.Range(0, 301).Select(_ => random.NextDouble()).ToArray();

            // Online: a one-dimensional accumulator of weighted values.
            float runningMax = float.NegativeInfinity;
            float runningSum = 0;
            float accumulator = 0;
            for (int start = 0; start < scores.Length; start += blockSize)
            {
                int length = Math.Min(blockSize, scores.Length - start);
                float[] block = scores.Skip(start).Take(length).Select(x => (float)x).ToArray();
                float correction = OnlineSoftmax.Update(block, ref runningMax, ref runningSum);
                accumulator *= correction;
                for (int j = 0; j < length; j++)
                {
                    accumulator += block[j] * (float)values[start + j];
                }
            }

            double max = scores.Max();
            double[] weights = scores.Select(s => Math.Exp(s - max)).ToArray();
            double expected = weights.Zip(values, (w, v) => w * v).Sum() / weights.Sum();
            Assert.Equal((float)max, runningMax);
            Assert.True(Math.Abs(accumulator / runningSum - expected) < 1e-5, $"{accumulator / runningSum} vs {expected}");
        }

        [Fact]
        public void Update_AllNegativeInfinity_GivesZeroWeightsAndNoNaN()
        {
            float[] block = { float.NegativeInfinity, float.NegativeInfinity };
            float runningMax = float.NegativeInfinity;
            float runningSum = 0;
            float correction = OnlineSoftmax.Update(block, ref runningMax, ref runningSum);
            Assert.Equal(1f, correction);
            Assert.Equal(new[] { 0f, 0f }, block);
            Assert.Equal(0f, runningSum);
        }

        [Fact]
        public void Normalize_ZeroSum_WritesZeros_ElseDivides()
        {
            float[] destination = { 9, 9, 9 };
            OnlineSoftmax.Normalize(new float[] { 1, 2, 3 }, 0f, destination);
            Assert.Equal(new[] { 0f, 0f, 0f }, destination);

            float[] many = Enumerable.Range(1, 37).Select(i => (float)i).ToArray();
            float[] result = new float[37];
            OnlineSoftmax.Normalize(many, 2f, result);
            Assert.Equal(many.Select(x => x / 2f), result);
            Assert.Throws<ArgumentException>(() => OnlineSoftmax.Normalize(many, 2f, new float[3]));
        }
    }
}
