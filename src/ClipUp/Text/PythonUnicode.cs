using System.Text;

namespace ClipUp.Text;

/// <summary>
/// Character properties exactly as the reference Python (3.11 <c>str</c>, <c>unicodedata</c> 14.0 and the
/// <c>regex</c> module) sees them, read from <see cref="UnicodeTables"/>. .NET's own categories and casing
/// follow a newer Unicode version and, under InvariantGlobalization, skip some mappings (U+0130), so the
/// tokenizer never asks .NET about a character.
/// </summary>
internal static class PythonUnicode
{
    /// <summary>How the pre-tokenizer pattern classifies one code point.</summary>
    internal enum CharClass : byte
    {
        /// <summary>Matches no alternative (regex <c>\s</c>, and U+0345 under IGNORECASE): skipped.</summary>
        None,
        /// <summary><c>[\p{L}]</c>: runs of these form one token.</summary>
        Letter,
        /// <summary><c>[\p{N}]</c>: each is a token of its own.</summary>
        Number,
        /// <summary><c>[^\s\p{L}\p{N}]</c>: runs of these form one token.</summary>
        Other,
    }

    private static readonly CharClass[] s_ascii = BuildAscii();

    /// <summary>The pattern class of code point <paramref name="cp"/>.</summary>
    internal static CharClass Classify(int cp)
    {
        if (cp < 128) return s_ascii[cp];
        if (InRanges(UnicodeTables.Letter, cp)) return CharClass.Letter;
        if (InRanges(UnicodeTables.Number, cp)) return CharClass.Number;
        if (InRanges(UnicodeTables.Space, cp) || InRanges(UnicodeTables.Unmatched, cp)) return CharClass.None;
        return CharClass.Other;
    }

    /// <summary>Regex <c>\s</c> (what <c>whitespace_clean</c> collapses).</summary>
    internal static bool IsRegexSpace(int cp) => InRanges(UnicodeTables.Space, cp);

    /// <summary>Python <c>str.isspace</c> (what <c>str.strip()</c> removes; adds U+001C..U+001F to regex <c>\s</c>).</summary>
    internal static bool IsPythonSpace(int cp) => InRanges(UnicodeTables.PythonSpace, cp);

    /// <summary>Python's single-code-point lower-case mapping (U+0130 and U+03A3 need context: see <see cref="TextCleaner.Lower"/>).</summary>
    internal static int ToLower(int cp)
    {
        if (cp < 128) return cp is >= 'A' and <= 'Z' ? cp + 32 : cp;
        int[] runs = UnicodeTables.LowerRuns; // (start, count, stride, delta) quadruples with disjoint spans
        int lo = 0, hi = runs.Length / 4 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int start = runs[4 * mid], count = runs[4 * mid + 1], stride = runs[4 * mid + 2];
            if (cp < start) hi = mid - 1;
            else if (cp > start + (count - 1) * stride) lo = mid + 1;
            else return (cp - start) % stride == 0 ? cp + runs[4 * mid + 3] : cp;
        }
        return cp;
    }

    /// <summary>Case_Ignorable as CPython's Final_Sigma rule uses it.</summary>
    internal static bool IsCaseIgnorable(int cp) => InRanges(UnicodeTables.CaseIgnorable, cp);

    /// <summary>Cased and not Case_Ignorable (the only cased characters the Final_Sigma rule ever tests).</summary>
    internal static bool IsCased(int cp) => InRanges(UnicodeTables.Cased, cp);

    /// <summary>The code point at <paramref name="index"/>; a lone surrogate stands for itself, as it would in Python.</summary>
    internal static int CodePointAt(string s, int index, out int length)
    {
        char c = s[index];
        if (char.IsHighSurrogate(c) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, s[index + 1]);
        }
        length = 1;
        return c;
    }

    /// <summary>The code point that ends just before <paramref name="end"/>.</summary>
    internal static int CodePointBefore(string s, int end, out int length)
    {
        char c = s[end - 1];
        if (char.IsLowSurrogate(c) && end >= 2 && char.IsHighSurrogate(s[end - 2]))
        {
            length = 2;
            return char.ConvertToUtf32(s[end - 2], c);
        }
        length = 1;
        return c;
    }

    /// <summary>Appends a code point (a lone surrogate value is appended as that single char).</summary>
    internal static void Append(StringBuilder sb, int cp)
    {
        if (cp < 0x10000) sb.Append((char)cp);
        else sb.Append(char.ConvertFromUtf32(cp));
    }

    /// <summary>Binary search in flat inclusive ranges [start0, end0, start1, end1, ...].</summary>
    internal static bool InRanges(int[] ranges, int cp)
    {
        int lo = 0, hi = ranges.Length / 2 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) hi = mid - 1;
            else if (cp > ranges[2 * mid + 1]) lo = mid + 1;
            else return true;
        }
        return false;
    }

    private static CharClass[] BuildAscii()
    {
        var table = new CharClass[128];
        for (int cp = 0; cp < 128; cp++)
            table[cp] = InRanges(UnicodeTables.Letter, cp) ? CharClass.Letter
                : InRanges(UnicodeTables.Number, cp) ? CharClass.Number
                : InRanges(UnicodeTables.Space, cp) ? CharClass.None
                : CharClass.Other;
        return table;
    }
}
