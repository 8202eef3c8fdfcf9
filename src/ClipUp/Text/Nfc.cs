using System.Collections.Frozen;
using System.Text;

namespace ClipUp.Text;

/// <summary>
/// Unicode Normalization Form C (UAX #15) with the character data of the reference Python
/// (<c>unicodedata.normalize("NFC", s)</c>, Unicode 14.0).
/// </summary>
/// <remarks>
/// ClipUp builds with InvariantGlobalization, where <see cref="string.Normalize()"/> leaves non-ASCII text
/// unchanged, so NFC is done here: full canonical decomposition, canonical ordering, then canonical
/// composition, following the UAX #15 sample algorithm; Hangul syllables are (de)composed arithmetically.
/// </remarks>
public static class Nfc
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly FrozenDictionary<int, (int First, int Second)> s_decomposition = BuildDecomposition();
    private static readonly FrozenDictionary<long, int> s_composition = BuildComposition();

    /// <summary>Returns <paramref name="text"/> in NFC, or the same instance when it already is (common case).</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsQuickYes(text)) return text;

        var cps = new List<int>(text.Length + 8);
        for (int i = 0; i < text.Length;)
        {
            int cp = PythonUnicode.CodePointAt(text, i, out int len);
            Decompose(cp, cps);
            i += len;
        }
        SortCombiningMarks(cps);
        Compose(cps);

        var sb = new StringBuilder(text.Length);
        foreach (int cp in cps) PythonUnicode.Append(sb, cp);
        return sb.ToString();
    }

    /// <summary>Canonical combining class of <paramref name="cp"/> (0 for starters).</summary>
    internal static int CombiningClass(int cp)
    {
        if (cp < UnicodeTables.NfcQuickCheckLimit) return 0;
        int[] runs = UnicodeTables.CombiningClass; // (start, end, class) triples
        int lo = 0, hi = runs.Length / 3 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (cp < runs[3 * mid]) hi = mid - 1;
            else if (cp > runs[3 * mid + 1]) lo = mid + 1;
            else return runs[3 * mid + 2];
        }
        return 0;
    }

    private static bool IsQuickYes(string text)
    {
        foreach (char c in text)
            if (c >= UnicodeTables.NfcQuickCheckLimit) return false;
        return true;
    }

    private static void Decompose(int cp, List<int> output)
    {
        int s = cp - SBase;
        if (s is >= 0 and < SCount)
        {
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0) output.Add(TBase + s % TCount);
            return;
        }
        if (s_decomposition.TryGetValue(cp, out var parts))
        {
            Decompose(parts.First, output);
            if (parts.Second != 0) Decompose(parts.Second, output);
            return;
        }
        output.Add(cp);
    }

    // Canonical ordering: a stable sort of each run of non-starters by combining class.
    private static void SortCombiningMarks(List<int> cps)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int cc = CombiningClass(cps[i]);
            if (cc == 0) continue;
            int cp = cps[i], j = i;
            while (j > 0 && CombiningClass(cps[j - 1]) > cc)
            {
                cps[j] = cps[j - 1];
                j--;
            }
            cps[j] = cp;
        }
    }

    // UAX #15 canonical composition: a mark joins the last starter unless a character in between
    // is a starter or has a combining class >= its own (is "blocked").
    private static void Compose(List<int> cps)
    {
        if (cps.Count == 0) return;
        int starterPos = 0, starter = cps[0];
        int lastClass = CombiningClass(starter) == 0 ? 0 : 256; // text opening with a mark composes nothing onto it
        int outPos = 1;
        for (int i = 1; i < cps.Count; i++)
        {
            int cp = cps[i], cc = CombiningClass(cp);
            int composite = ComposePair(starter, cp);
            if (composite >= 0 && (lastClass < cc || lastClass == 0))
            {
                cps[starterPos] = starter = composite;
                continue;
            }
            if (cc == 0)
            {
                starterPos = outPos;
                starter = cp;
            }
            lastClass = cc;
            cps[outPos++] = cp;
        }
        cps.RemoveRange(outPos, cps.Count - outPos);
    }

    private static int ComposePair(int first, int second)
    {
        int l = first - LBase, v = second - VBase;
        if (l is >= 0 and < LCount && v is >= 0 and < VCount) return SBase + (l * VCount + v) * TCount;
        int s = first - SBase, t = second - TBase;
        if (s is >= 0 and < SCount && s % TCount == 0 && t is > 0 and < TCount) return first + t;
        return s_composition.TryGetValue(((long)first << 32) | (uint)second, out int composite) ? composite : -1;
    }

    private static FrozenDictionary<int, (int, int)> BuildDecomposition()
    {
        int[] d = UnicodeTables.Decomposition;
        var map = new Dictionary<int, (int, int)>(d.Length / 3);
        for (int i = 0; i < d.Length; i += 3) map[d[i]] = (d[i + 1], d[i + 2]);
        return map.ToFrozenDictionary();
    }

    private static FrozenDictionary<long, int> BuildComposition()
    {
        var map = new Dictionary<long, int>(UnicodeTables.Composable.Length);
        foreach (int cp in UnicodeTables.Composable)
        {
            var (first, second) = s_decomposition[cp];
            map[((long)first << 32) | (uint)second] = cp;
        }
        return map.ToFrozenDictionary();
    }
}
