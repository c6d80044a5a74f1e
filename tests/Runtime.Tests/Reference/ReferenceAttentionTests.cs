using System;
using System.Linq;
using System.Text;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>The reference defines correct, so it is checked against hand-computed values and the documented pictures.</summary>
    public sealed class ReferenceAttentionTests
    {
        [Fact]
        public void Compute_HandExample()
        {
            // d = 1, scale 1: scores 0 and ln 3, so weights 1/4 and 3/4 and out = (1 + 3 * 5) / 4 = 4.
            var spec = new AttentionSpec(1, scale: 1f);
            double[] output = new double[1];
            ReferenceAttention.Compute(spec, new[] { 1f }, new[] { 0f, (float)Math.Log(3) }, new[] { 1f, 5f }, output);
            Assert.Equal(4.0, output[0], 6);
        }

        [Fact]
        public void Compute_CausalFirstRow_CopiesFirstValue_AndEmptyRowsAreZero()
        {
            var spec = new AttentionSpec(2, causal: true);
            float[] value = { 1, 2, 3, 4 };
            double[] output = new double[8];
            // Nq = 4 > Nk = 2: rows 0 and 1 have p < 0 (zeros), row 2 sees key 0 only.
            ReferenceAttention.Compute(spec, new float[8], new float[4], value, output);
            Assert.Equal(new double[] { 0, 0, 0, 0, 1, 2, 2, 3 }, output);
        }

        [Fact]
        public void Compute_BadLengths_Throw()
        {
            var spec = new AttentionSpec(4);
            Assert.Equal("query", Assert.ThrowsAny<ArgumentException>(() => ReferenceAttention.Compute(spec, new float[3], new float[4], new float[4], new double[3])).ParamName);
            Assert.Equal("value", Assert.ThrowsAny<ArgumentException>(() => ReferenceAttention.Compute(spec, new float[4], new float[4], new float[8], new double[4])).ParamName);
        }

        [Theory]
        [InlineData(false, -1, -1, "", "#.....|##....|###...|####..|#####.|######")]
        [InlineData(true, -1, -1, "", "#.....|##....|###...|####..|#####.|######")]
        [InlineData(false, 1, 1, "", "##....|###...|.###..|..###.|...###|....##")]
        [InlineData(false, 1, 1, "0", "######|###...|####..|#.###.|#..###|#...##")]
        [InlineData(true, 2, 0, "1", "#.....|##....|###...|.###..|.####.|.#.###")]
        public void IsAllowed_DrawsTheDocumentedPictures(bool causalOnly, int left, int right, string globals, string picture)
        {
            // Row 1: causal only. Others: the pictures in the attribute docs (6 x 6).
            bool causal = causalOnly || left < 0;
            var spec = new AttentionSpec(
                1,
                causal: causal,
                window: left < 0 ? null : new AttentionWindow(left, right),
                globalPositions: globals.Length == 0 ? null : globals.Split(',').Select(int.Parse));
            Assert.Equal(picture, Draw(spec, 6, 6));
        }

        [Fact]
        public void IsAllowed_BottomRightAlignment()
        {
            var causal = new AttentionSpec(1, causal: true);
            Assert.Equal("#####", Draw(causal, 1, 5));           // decode: the one query sees the whole cache
            Assert.Equal("...|#..|##.|###", Draw(causal, 4, 3)); // Nq > Nk: the first row sees nothing
            var window = new AttentionSpec(1, window: new AttentionWindow(1, 0), globalPositions: new[] { 0, 9 });
            Assert.Equal("#..##", Draw(window, 1, 5));           // p = 4: window 3..4, global key 0; 9 >= Nk matches nothing
        }

        [Fact]
        public void Spec_NormalisesAndValidates()
        {
            var spec = new AttentionSpec(64, globalPositions: new[] { 5, 1, 5 });
            Assert.Equal(0.125f, spec.Scale);
            Assert.Equal(new[] { 1, 5 }, spec.GlobalPositions);
            Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(4, scale: -1f));
            Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(4, scale: float.NaN));
            Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(4, window: new AttentionWindow(-1, 0)));
            Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionSpec(4, globalPositions: new[] { -2 }));
        }

        private static string Draw(AttentionSpec spec, int queries, int keys)
        {
            var rows = new StringBuilder();
            for (int i = 0; i < queries; i++)
            {
                if (i > 0)
                {
                    rows.Append('|');
                }

                for (int j = 0; j < keys; j++)
                {
                    rows.Append(spec.IsAllowed(i, j, queries, keys) ? '#' : '.');
                }
            }

            return rows.ToString();
        }
    }
}
