using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>BlockQ8_0 is ggml's block_q8_0 byte for byte: 34 bytes, the half scale first, then 32 int8 values.</summary>
    public sealed class BlockQ8_0Tests
    {
        private static readonly sbyte[] Ramp = Enumerable.Range(0, 32).Select(static i => (sbyte)(i * 8 - 128)).ToArray();

        [Fact]
        public void Size_Is34BytesWithNoPadding()
        {
            Assert.Equal(34, Unsafe.SizeOf<BlockQ8_0>());
            Assert.Equal(34, BlockQ8_0.ByteCount);
            Assert.Equal(32, BlockQ8_0.ValueCount);
            Assert.Equal(34 * 3, MemoryMarshal.AsBytes(new BlockQ8_0[3].AsSpan()).Length);
        }

        [Fact]
        public void Bytes_AreTheScaleLittleEndianThenTheValues()
        {
            var block = new BlockQ8_0((Half)0.375f, Ramp);
            byte[] bytes = MemoryMarshal.AsBytes(new[] { block }.AsSpan()).ToArray();
            ushort scaleBits = BitConverter.HalfToUInt16Bits((Half)0.375f);
            Assert.Equal((byte)scaleBits, bytes[0]);
            Assert.Equal((byte)(scaleBits >> 8), bytes[1]);
            Assert.Equal(Ramp.Select(static q => (byte)q), bytes[2..]);
        }

        [Fact]
        public void GgmlBytes_ReadInPlace()
        {
            // Two blocks as ggml writes them: scale 0x3C00 (1.0) then -3, 5, ...; scale 0xC000 (-2.0) then 127, ...
            byte[] bytes = new byte[68];
            bytes[0] = 0x00;
            bytes[1] = 0x3C;
            bytes[2] = unchecked((byte)-3);
            bytes[3] = 5;
            bytes[34] = 0x00;
            bytes[35] = 0xC0;
            bytes[36] = 127;
            bytes[67] = 0x80;
            ReadOnlySpan<BlockQ8_0> blocks = MemoryMarshal.Cast<byte, BlockQ8_0>(bytes);
            Assert.Equal(2, blocks.Length);
            Assert.Equal(Half.One, blocks[0].Scale);
            Assert.Equal(-3, blocks[0][0]);
            Assert.Equal(5, blocks[0].Values[1]);
            Assert.Equal((Half)(-2f), blocks[1].Scale);
            Assert.Equal(127, blocks[1][0]);
            Assert.Equal(-128, blocks[1][31]);
            Assert.Equal(-254f, blocks[1].Dequantize(0));
            Assert.Equal(256f, blocks[1].Dequantize(31));
            Assert.Equal(-3f, blocks[0].Dequantize(0));
        }

        [Fact]
        public void Values_ViewTheBlockInPlace()
        {
            var blocks = new[] { new BlockQ8_0(Half.One, Ramp) };
            ReadOnlySpan<sbyte> values = blocks[0].Values;
            MemoryMarshal.AsBytes(blocks.AsSpan())[2 + 7] = 99;
            Assert.Equal(99, values[7]);
            Assert.Equal(32, values.Length);
        }

        [Fact]
        public void Constructor_TakesExactly32Values()
        {
            Assert.Equal("values", Assert.Throws<ArgumentException>(() => new BlockQ8_0(Half.One, new sbyte[31])).ParamName);
            Assert.Equal("values", Assert.Throws<ArgumentException>(() => new BlockQ8_0(Half.One, new sbyte[33])).ParamName);
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(32)]
        public void Indexer_OutsideTheBlock_Throws(int index)
        {
            var block = new BlockQ8_0(Half.One, Ramp);
            Assert.Throws<IndexOutOfRangeException>(() => block[index]);
            Assert.Throws<IndexOutOfRangeException>(() => block.Dequantize(index));
        }
    }
}
