using ClipUp.Text;

namespace ClipUp.Tests.Text;

public class HtmlUnescapeTests
{
    // Expected values are Python 3.11 html.unescape outputs.
    [Theory]
    [InlineData("&amp;amp;", "&amp;")]            // one pass only
    [InlineData("&copy 2020", "\u00a9 2020")]     // legacy name without ';'
    [InlineData("&lt&gt", "<>")]
    [InlineData("&ampx", "&x")]                   // longest known prefix
    [InlineData("&notit;", "\u00acit;")]
    [InlineData("&NotEqualTilde;", "\u2242\u0338")] // HTML5 name with two code points
    [InlineData("&zzzz;", "&zzzz;")]              // unknown: left alone
    [InlineData("&#X41 &#x1F600;", "A \U0001F600")]
    [InlineData("&#128;", "\u20ac")]              // HTML5 maps C1 references to Windows-1252
    [InlineData("&#0;", "\ufffd")]
    [InlineData("&#xD800;", "\ufffd")]            // surrogate
    [InlineData("&#99999999999;", "\ufffd")]      // beyond U+10FFFF (Python's int does not overflow)
    [InlineData("a&#1;b&#xFFFF;c", "abc")]        // invalid code points vanish
    [InlineData("&#; &#x; AT&T", "&#; &#x; AT&T")]
    public void UnescapeIsPythonsHtmlUnescape(string text, string expected) => Assert.Equal(expected, HtmlUnescape.Unescape(text));
}
