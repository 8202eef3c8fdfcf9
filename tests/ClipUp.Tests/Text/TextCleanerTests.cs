using ClipUp.Text;

namespace ClipUp.Tests.Text;

public class TextCleanerTests
{
    [Fact]
    public void CleanMatchesThePythonReference()
    {
        // whitespace_clean(basic_clean(x)).lower() from bench/reference/tokenizer_fixture.py.
        foreach (var c in TokenizerFixture.Instance.Clean) Assert.Equal(c.Clean, TextCleaner.Clean(c.Text));
    }

    [Theory]
    [InlineData("ΟΔΟΣ", "οδος")]          // Σ ending a word is final sigma ς
    [InlineData("ΣΑΣ.", "σας.")]          // '.' is case-ignorable and not cased: still the word end
    [InlineData("Σ", "σ")]                // no cased letter before it: plain σ
    [InlineData("ΑΣΑ", "ασα")]            // a cased letter follows: plain σ
    [InlineData("İ", "i\u0307")]          // Python's full mapping: two code points
    [InlineData("ẞ Ǆ 𐐀", "ß ǆ 𐐨")]       // non-ASCII and non-BMP upper case
    public void LowerIsPythonsStrLower(string text, string expected) => Assert.Equal(expected, TextCleaner.Lower(text));

    [Fact]
    public void BasicCleanUnescapesTwiceNormalisesAndStrips()
    {
        Assert.Equal("&", TextCleaner.BasicClean("&amp;amp;"));     // &amp;amp; -> &amp; -> &
        Assert.Equal("&lt;", TextCleaner.BasicClean("&amp;amp;lt;")); // only twice, not to a fixed point
        Assert.Equal("é", TextCleaner.BasicClean(" e\u0301\n"));    // NFC, then strip
    }

    [Fact]
    public void WhitespaceCleanCollapsesRegexSpaceButStripAlsoRemovesFileSeparators()
    {
        // Python: regex \s lacks U+001C..U+001F, str.strip() removes them.
        Assert.Equal("a b\u001cc", TextCleaner.WhitespaceClean("a \t\u00a0\u3000 b\u001cc"));
        Assert.Equal("x", TextCleaner.PythonStrip("\u001c\u001f x \u2028"));
    }
}
