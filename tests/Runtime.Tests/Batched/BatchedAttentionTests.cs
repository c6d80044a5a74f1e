using System;
using KernelGen.Engine;
using Xunit;

namespace KernelGen.Runtime.Tests
{
    /// <summary>
    /// BatchedAttention.Validate on the bundles directly (no generated kernel): the names it reports come from the
    /// kernel's info, undeclared run-time parameters keep their own names, and a run-time span the kernel does not
    /// declare is refused rather than read unchecked.
    /// </summary>
    public sealed class BatchedAttentionTests
    {
        private const int HeadDimension = 4, Heads = 2, KeyValueHeads = 1, Batch = 2, Positions = 3;

        private static BatchedKernelInfo Info(RuntimeParameter parameters) =>
            new(AttentionLayout.BatchSeqHeadDim, HeadDimension, Heads, KeyValueHeads, parameters, "q", "k", "v", "o", "items");

        [Fact]
        public void Info_UndeclaredNames_AreTheParametersOwnNames()
        {
            BatchedKernelInfo info = Info(RuntimeParameter.None);

            Assert.Equal(
                new[] { "keyLengths", "queryLengths", "sequenceStarts", "logSumExp", "keyMask", "mask" },
                new[] { info.KeyLengthsName, info.QueryLengthsName, info.SequenceStartsName, info.LogSumExpName, info.KeyMaskName, info.MaskName });
        }

        [Fact]
        public void Info_UnknownFlag_Throws()
        {
            ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => Info((RuntimeParameter)4096));

            Assert.Equal("parameters", exception.ParamName);
        }

        [Fact]
        public void Validate_ValidCall_DerivesShape()
        {
            float[] query = new float[Batch * Positions * Heads * HeadDimension], key = new float[Batch * Positions * KeyValueHeads * HeadDimension];
            float[] value = new float[key.Length], output = new float[query.Length];

            BatchedShape shape = BatchedAttention.Validate(Info(RuntimeParameter.KeyLengths),
                new BatchedArguments<float, float, float>(query, key, value, output, Batch) { KeyLengths = new[] { 3, 1 } });

            Assert.Equal((Batch, Positions, Positions, Heads, KeyValueHeads), (shape.Batch, shape.QueryCount, shape.KeyCount, shape.Heads, shape.KeyValueHeads));
        }

        [Fact]
        public void Validate_WrongKeyLengths_NamesTheInfosName()
        {
            float[] query = new float[Batch * Positions * Heads * HeadDimension], key = new float[Batch * Positions * KeyValueHeads * HeadDimension];
            float[] value = new float[key.Length], output = new float[query.Length];
            BatchedKernelInfo info = new(AttentionLayout.BatchSeqHeadDim, HeadDimension, Heads, KeyValueHeads, RuntimeParameter.KeyLengths, "q", "k", "v", "o", "items")
            {
                KeyLengthsName = "lengths",
            };

            ArgumentException exception = Assert.Throws<ArgumentException>(() =>
                BatchedAttention.Validate(info, new BatchedArguments<float, float, float>(query, key, value, output, Batch) { KeyLengths = new[] { 3 } }));

            Assert.Equal("lengths", exception.ParamName);
            Assert.Contains("items = 2", exception.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(RuntimeParameter.KeyLengths, "keyLengths")]
        [InlineData(RuntimeParameter.QueryLengths, "queryLengths")]
        [InlineData(RuntimeParameter.SequenceStarts, "sequenceStarts")]
        [InlineData(RuntimeParameter.LogSumExp, "logSumExp")]
        [InlineData(RuntimeParameter.KeyMask, "keyMask")]
        [InlineData(RuntimeParameter.Mask, "mask")]
        public void Validate_UndeclaredRuntimeSpan_ThrowsNamingIt(RuntimeParameter parameter, string name)
        {
            float[] query = new float[Batch * Positions * Heads * HeadDimension], key = new float[Batch * Positions * KeyValueHeads * HeadDimension];
            float[] value = new float[key.Length], output = new float[query.Length];
            int[] lengths = { 1, 1 };
            bool[] flags = new bool[Batch * Positions * Positions];
            float[] logSumExp = new float[Batch * Heads * Positions];
            BatchedKernelInfo info = Info(RuntimeParameter.None);

            ArgumentException exception = Assert.Throws<ArgumentException>(() => BatchedAttention.Validate(info, parameter switch
            {
                RuntimeParameter.KeyLengths => new BatchedArguments<float, float, float>(query, key, value, output, Batch) { KeyLengths = lengths },
                RuntimeParameter.QueryLengths => new BatchedArguments<float, float, float>(query, key, value, output, Batch) { QueryLengths = lengths },
                RuntimeParameter.SequenceStarts => new BatchedArguments<float, float, float>(query, key, value, output, Batch) { SequenceStarts = lengths },
                RuntimeParameter.LogSumExp => new BatchedArguments<float, float, float>(query, key, value, output, Batch) { LogSumExp = logSumExp },
                RuntimeParameter.KeyMask => new BatchedArguments<float, float, float>(query, key, value, output, Batch) { KeyMask = flags },
                _ => new BatchedArguments<float, float, float>(query, key, value, output, Batch) { Mask = flags },
            }));

            Assert.Equal(name, exception.ParamName);
            Assert.Contains("declares no", exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Validate_NullInfo_Throws()
        {
            ArgumentNullException exception = Assert.Throws<ArgumentNullException>(() => BatchedAttention.Validate(null!, default(BatchedArguments<float, float, float>)));

            Assert.Equal("info", exception.ParamName);
        }
    }
}
