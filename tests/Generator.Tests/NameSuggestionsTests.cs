using KernelGen.Generator.Parsing;
using Xunit;

namespace KernelGen.Generator.Tests
{
    /// <summary>The edit distance and the "did you mean" choice behind KG0015, with exact expectations.</summary>
    public sealed class NameSuggestionsTests
    {
        [Theory]
        [InlineData("kitten", "sitting", 3)]
        [InlineData("keyLength", "keyLengths", 1)]
        [InlineData("KEYLENGTHS", "keyLengths", 0)]
        [InlineData("", "bias", 4)]
        [InlineData("sinks", "", 5)]
        [InlineData("mask", "keyMask", 3)]
        public void Distance_IsLevenshtein_IgnoringCase(string a, string b, int expected)
        {
            Assert.Equal(expected, NameSuggestions.Distance(a, b));
            Assert.Equal(expected, NameSuggestions.Distance(b, a));
        }

        [Theory]
        [InlineData("keyLenghts", "keyLengths")]
        [InlineData("querylengths", "queryLengths")]
        [InlineData("lengths", "keyLengths,queryLengths")]
        [InlineData("attnMask", "mask")]
        [InlineData("sink", "sinks")]
        [InlineData("b", "")]
        [InlineData("temperature", "")]
        public void Nearest_PicksTheClosestNames(string name, string expected)
        {
            string[] table = { "keyLengths", "queryLengths", "keyMask", "mask", "logSumExp", "sequenceStarts", "querySequenceStarts", "keySequenceStarts", "scale", "alibiSlopes", "bias", "sinks" };
            Assert.Equal(expected, string.Join(",", NameSuggestions.Nearest(name, table)));
        }
    }
}
