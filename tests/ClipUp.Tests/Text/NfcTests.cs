using ClipUp.Text;

namespace ClipUp.Tests.Text;

public class NfcTests
{
    [Theory]
    [InlineData("e\u0301", "\u00e9")]                // e + combining acute composes to é
    [InlineData("\u212b", "\u00c5")]                 // ANGSTROM SIGN is a singleton: becomes Å
    [InlineData("\u1100\u1161\u11a8", "\uac01")]     // Hangul L V T jamo compose arithmetically to 각
    [InlineData("a\u0301\u0323", "\u1ea1\u0301")]    // reordered by class (dot below 220 < acute 230), then ạ + ́
    [InlineData("\u0301e", "\u0301e")]               // a leading mark composes with nothing
    public void NormalizeComposesLikeUnicodedata(string text, string expected) => Assert.Equal(expected, Nfc.Normalize(text));

    [Fact]
    public void NormalizeMatchesPythonOnRandomCombiningSequences()
    {
        var cases = TokenizerFixture.Instance.Nfc;
        Assert.True(cases.Length >= 400);
        foreach (var c in cases) Assert.Equal(c.Nfc, Nfc.Normalize(c.Text));
    }

    [Fact]
    public void TextBelowU0300IsReturnedAsIs()
    {
        string text = "Ünïcödé but all below U+0300";
        Assert.Same(text, Nfc.Normalize(text));
    }
}
