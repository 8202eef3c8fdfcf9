using System.Text;

namespace ClipUp.Text;

/// <summary>
/// Python's <c>html.unescape</c>: HTML5 named and numeric character references, including the legacy names
/// without ';' ("&amp;copy 2020"), the longest-prefix rule ("&amp;notit;" becomes "¬it;") and the HTML5
/// replacements for invalid numbers ("&amp;#128;" becomes "€").
/// </summary>
/// <remarks>
/// <see cref="System.Net.WebUtility.HtmlDecode(string)"/> knows only the HTML4 names and needs the ';', so it
/// differs from the reference tokenizer on text such as "&amp;amp" or "&amp;lt" and is not used.
/// </remarks>
public static class HtmlUnescape
{
    private const int MaxNamedLength = 32; // Python: [^\t\n\f <&#;]{1,32};?

    /// <summary>Replaces every character reference in <paramref name="text"/>, exactly as Python's <c>html.unescape</c>.</summary>
    public static string Unescape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int amp = text.IndexOf('&');
        if (amp < 0) return text;

        var sb = new StringBuilder(text.Length);
        int pos = 0;
        while (amp >= 0)
        {
            sb.Append(text, pos, amp - pos);
            int end = amp + 1 < text.Length && text[amp + 1] == '#'
                ? NumericReference(text, amp + 1, sb)
                : NamedReference(text, amp + 1, sb);
            if (end < 0)
            {
                sb.Append('&');
                end = amp + 1;
            }
            pos = end;
            amp = text.IndexOf('&', pos);
        }
        sb.Append(text, pos, text.Length - pos);
        return sb.ToString();
    }

    // "#123;" or "#x7B;" after '&' (';' optional). Returns the end index, or -1 when there is no reference.
    private static int NumericReference(string text, int start, StringBuilder sb)
    {
        int i = start + 1;
        bool hex = i < text.Length && text[i] is 'x' or 'X';
        if (hex) i++;
        int digitsStart = i;
        long value = 0;
        while (i < text.Length && (hex ? char.IsAsciiHexDigit(text[i]) : char.IsAsciiDigit(text[i])))
        {
            // Saturate: Python's int is unbounded, and every value past 0x10FFFF gives U+FFFD.
            value = Math.Min(value * (hex ? 16 : 10) + HexDigitValue(text[i]), 0x110000);
            i++;
        }
        if (i == digitsStart) return -1;
        if (i < text.Length && text[i] == ';') i++;
        sb.Append(NumericReplacement((int)value));
        return i;
    }

    private static int HexDigitValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static string NumericReplacement(int value)
    {
        if (value == 0x00) return "\uFFFD";
        if (value == 0x0D) return "\r";
        if (value is >= 0x80 and <= 0x9F) return Windows1252[value - 0x80].ToString();
        if (value is >= 0xD800 and <= 0xDFFF or > 0x10FFFF) return "\uFFFD";
        if (value is >= 0x01 and <= 0x08 or 0x0B or >= 0x0E and <= 0x1F or 0x7F or >= 0xFDD0 and <= 0xFDEF
            || (value & 0xFFFE) == 0xFFFE) return "";
        return char.ConvertFromUtf32(value);
    }

    // HTML5's replacements for references to C1 controls (Python's _invalid_charrefs 0x80..0x9F).
    private const string Windows1252 =
        "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F" +
        "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    // A name of 1..32 code points, none of "\t\n\f <&#;", then an optional ';'. Returns the end index or -1.
    private static int NamedReference(string text, int start, StringBuilder sb)
    {
        int i = start, codePoints = 0;
        while (i < text.Length && codePoints < MaxNamedLength && text[i] is not ('\t' or '\n' or '\f' or ' ' or '<' or '&' or '#' or ';'))
        {
            PythonUnicode.CodePointAt(text, i, out int len);
            i += len;
            codePoints++;
        }
        if (codePoints == 0) return -1;
        if (i < text.Length && text[i] == ';') i++;

        string name = text[start..i];
        if (HtmlEntityTable.Entities.TryGetValue(name, out string? value))
        {
            sb.Append(value);
            return i;
        }
        // Longest prefix of at least two characters that is a name; names are ASCII, so UTF-16 lengths are
        // code point lengths for every prefix that can match.
        for (int x = name.Length - 1; x > 1; x--)
        {
            if (HtmlEntityTable.Entities.TryGetValue(name[..x], out value))
            {
                sb.Append(value).Append(name, x, name.Length - x);
                return i;
            }
        }
        sb.Append('&').Append(name);
        return i;
    }
}
