using ClipUp.Text;

namespace ClipUp.Tests.Text;

public class PreTokenizerTests
{
    [Theory]
    [InlineData("don't stop", new[] { "don", "'t", "stop" })]
    [InlineData("'sam's'", new[] { "'s", "am", "'s", "'" })]                         // contractions win at every '
    [InlineData("1,234.56", new[] { "1", ",", "2", "3", "4", ".", "5", "6" })]      // each digit alone
    [InlineData("a<|endoftext|>b!!<|endoftext|>", new[] { "a", "<|endoftext|>", "b", "!!<|", "endoftext", "|>" })]
    [InlineData("𝔘𝔫𝔦 𠜎𠜱", new[] { "𝔘𝔫𝔦", "𠜎𠜱" })]                               // non-BMP letters are letters
    [InlineData("👨‍👩‍👧 👍🏽!", new[] { "👨‍👩‍👧", "👍🏽!" })]                                // emoji, ZWJ and skin tones: one run of "other"
    [InlineData("ſtop 'ſ", new[] { "ſtop", "'ſ" })]                                  // IGNORECASE: 'ſ matches 's
    [InlineData("ας\u0345 x", new[] { "ας", "x" })]                                  // U+0345 matches no alternative
    public void SplitFollowsClipsPattern(string text, string[] expected) => Assert.Equal(expected, PreTokenizer.Split(text));

    [Fact]
    public void SplitMatchesPythonRegexFindall()
    {
        foreach (var c in TokenizerFixture.Instance.Clean) Assert.Equal(c.Pieces, PreTokenizer.Split(c.Clean));
    }
}
