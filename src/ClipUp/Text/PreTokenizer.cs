namespace ClipUp.Text;

/// <summary>
/// Splits cleaned text into the pieces that BPE encodes, exactly as OpenAI CLIP's pattern
/// <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>
/// does under Python's <c>regex.findall</c> with IGNORECASE.
/// </summary>
/// <remarks>
/// A hand-written scanner over code points rather than a .NET <see cref="System.Text.RegularExpressions.Regex"/>:
/// .NET classes match UTF-16 units, so a non-BMP letter (𝔘, 𠜎) is two "Other" chars there but one letter in
/// Python, and .NET's Unicode tables are newer than the reference's. The scanner tries the alternatives in the
/// pattern's order at each position and skips one code point where none matches (whitespace, U+0345).
/// </remarks>
public static class PreTokenizer
{
    private static readonly string[] s_specials = ["<|startoftext|>", "<|endoftext|>"];
    private static readonly string[] s_contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    /// <summary>The pieces of <paramref name="text"/>, in order (what <c>re.findall(pat, text)</c> returns).</summary>
    public static string[] Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pieces = new List<string>();
        int pos = 0;
        while (Next(text, ref pos, out int start, out int length)) pieces.Add(text.Substring(start, length));
        return [.. pieces];
    }

    /// <summary>Finds the next piece at or after <paramref name="pos"/> and moves <paramref name="pos"/> past it.</summary>
    internal static bool Next(string text, ref int pos, out int start, out int length)
    {
        while (pos < text.Length)
        {
            start = pos;
            length = MatchLiteral(text, pos);
            if (length == 0)
            {
                int cp = PythonUnicode.CodePointAt(text, pos, out int len);
                var cls = PythonUnicode.Classify(cp);
                switch (cls)
                {
                    case PythonUnicode.CharClass.Number:
                        length = len;
                        break;
                    case PythonUnicode.CharClass.Letter:
                    case PythonUnicode.CharClass.Other:
                        int end = pos + len;
                        while (end < text.Length)
                        {
                            int next = PythonUnicode.CodePointAt(text, end, out int nextLen);
                            if (PythonUnicode.Classify(next) != cls) break;
                            end += nextLen;
                        }
                        length = end - pos;
                        break;
                    default:
                        pos += len;
                        continue;
                }
            }
            pos += length;
            return true;
        }
        start = length = 0;
        return false;
    }

    // The literal alternatives, in pattern order; returns the matched length or 0.
    private static int MatchLiteral(string text, int pos)
    {
        string[]? candidates = text[pos] switch { '<' => s_specials, '\'' => s_contractions, _ => null };
        if (candidates is null) return 0;
        foreach (string literal in candidates)
            if (MatchesIgnoreCase(text, pos, literal)) return literal.Length;
        return 0;
    }

    // Python regex IGNORECASE on these ASCII literals: a letter also matches its upper case, and 's' also
    // matches U+017F LATIN SMALL LETTER LONG S (simple case folding). No other character folds to them.
    private static bool MatchesIgnoreCase(string text, int pos, string literal)
    {
        if (pos + literal.Length > text.Length) return false;
        for (int k = 0; k < literal.Length; k++)
        {
            char c = text[pos + k], p = literal[k];
            bool same = c == p || (char.IsAsciiLetterLower(p) && (c == p - 32 || (p == 's' && c == '\u017F')));
            if (!same) return false;
        }
        return true;
    }
}
