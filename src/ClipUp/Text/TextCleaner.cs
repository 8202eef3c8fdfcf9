using System.Text;

namespace ClipUp.Text;

/// <summary>
/// The text cleaning of OpenAI CLIP's <c>SimpleTokenizer.encode</c>:
/// <c>whitespace_clean(basic_clean(text)).lower()</c>, with Python's exact notions of whitespace and case.
/// </summary>
/// <remarks>
/// Deviation: the reference <c>basic_clean</c> starts with <c>ftfy.fix_text</c>, which has no .NET port. Only its
/// final step, NFC normalisation, is reproduced; its repairs of mojibake ("cafÃ©"), curly quotes, ligatures,
/// full-width forms, terminal escapes and control characters are not, so text that needs them tokenizes
/// differently from OpenAI's tokenizer (identically to the ftfy-free reference in
/// bench/reference/tokenizer_fixture.py). Checked once against ftfy 6.3.1: every Flickr8k train/val caption
/// (35,455) and fashion title (13,000) gives the same ids with and without ftfy.
/// </remarks>
public static class TextCleaner
{
    /// <summary>All cleaning steps, in the reference order: <c>Lower(WhitespaceClean(BasicClean(text)))</c>.</summary>
    public static string Clean(string text) => Lower(WhitespaceClean(BasicClean(text)));

    /// <summary><c>basic_clean</c>: NFC (in place of ftfy), <c>html.unescape</c> twice, then <c>str.strip()</c>.</summary>
    public static string BasicClean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Twice, as OpenAI does, so doubly escaped text ("&amp;amp;") comes out as "&".
        string unescaped = HtmlUnescape.Unescape(HtmlUnescape.Unescape(Nfc.Normalize(text)));
        return PythonStrip(unescaped);
    }

    /// <summary><c>whitespace_clean</c>: every run of regex <c>\s</c> becomes one space, then <c>str.strip()</c>.</summary>
    public static string WhitespaceClean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        bool inSpace = false;
        for (int i = 0; i < text.Length;)
        {
            int cp = PythonUnicode.CodePointAt(text, i, out int len);
            if (PythonUnicode.IsRegexSpace(cp))
            {
                if (!inSpace) sb.Append(' ');
                inSpace = true;
            }
            else
            {
                sb.Append(text, i, len);
                inSpace = false;
            }
            i += len;
        }
        return PythonStrip(sb.ToString());
    }

    /// <summary>
    /// Python's <c>str.lower()</c>: the full lower-case mapping (U+0130 becomes "i\u0307") and the Final_Sigma
    /// rule (Σ at the end of a word becomes ς), which .NET's <see cref="string.ToLowerInvariant"/> lacks.
    /// </summary>
    public static string Lower(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Ascii.IsValid(text)) return text.ToLowerInvariant(); // ASCII casing is the same everywhere
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            int cp = PythonUnicode.CodePointAt(text, i, out int len);
            if (cp == 0x130) sb.Append("i\u0307");
            else if (cp == 0x3A3) sb.Append(IsFinalSigma(text, i) ? 'ς' : 'σ');
            else PythonUnicode.Append(sb, PythonUnicode.ToLower(cp));
            i += len;
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.strip()</c> with no argument: removes leading and trailing <c>str.isspace</c> characters.</summary>
    public static string PythonStrip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int start = 0, end = text.Length;
        // Every str.isspace character is in the BMP, so char-wise scanning is exact.
        while (start < end && PythonUnicode.IsPythonSpace(text[start])) start++;
        while (end > start && PythonUnicode.IsPythonSpace(text[end - 1])) end--;
        return start == 0 && end == text.Length ? text : text[start..end];
    }

    // CPython's handle_capital_sigma: \p{cased} (\p{case-ignorable})* Σ and not followed by
    // (\p{case-ignorable})* \p{cased}. Context is read from the original text, not the lowered output.
    private static bool IsFinalSigma(string text, int index)
    {
        int j = index, cp = 0;
        bool found = false;
        while (j > 0)
        {
            cp = PythonUnicode.CodePointBefore(text, j, out int len);
            j -= len;
            if (!PythonUnicode.IsCaseIgnorable(cp)) { found = true; break; }
        }
        if (!found || !PythonUnicode.IsCased(cp)) return false;
        for (int k = index + 1; k < text.Length;)
        {
            cp = PythonUnicode.CodePointAt(text, k, out int len);
            k += len;
            if (!PythonUnicode.IsCaseIgnorable(cp)) return !PythonUnicode.IsCased(cp);
        }
        return true;
    }
}
