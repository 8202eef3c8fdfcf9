using System.Globalization;
using System.Text;

namespace ClipUp.Data;

/// <summary>
/// Expands WebDataset shard specifications into file paths, as webdataset's <c>expand_urls</c> and the
/// <c>braceexpand</c> package do:
/// <list type="bullet">
/// <item><c>data-{000000..000099}.tar</c>: a numeric range, both ends included, zero-padded to the wider end when
/// either end has a leading zero (<c>{8..10}</c> gives 8, 9, 10; <c>{08..10}</c> gives 08, 09, 10); a descending
/// range counts down.</item>
/// <item><c>{train,val}/part-{0..1}.tar</c>: comma lists; several braces multiply, the leftmost varying slowest.
/// Braces nest.</item>
/// <item><c>a-{0..9}.tar::b-{0..4}.tar</c>: several patterns joined by <c>::</c>, expanded in turn.</item>
/// </list>
/// A brace without a top-level comma or <c>..</c> is literal text, as in bash.
/// </summary>
public static class ShardPattern
{
    /// <summary>Every path that <paramref name="spec"/> names, in order (duplicates kept).</summary>
    public static IReadOnlyList<string> Expand(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var result = new List<string>();
        foreach (var part in spec.Split("::"))
        {
            string pattern = part.Trim();
            if (pattern.Length == 0)
                throw new ArgumentException($"shard spec '{spec}' has an empty pattern between '::' separators", nameof(spec));
            result.AddRange(ExpandOne(pattern, spec));
        }
        return result;
    }

    static List<string> ExpandOne(string pattern, string spec)
    {
        int open = -1, depth = 0;
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '{')
            {
                if (depth++ == 0)
                    open = i;
            }
            else if (pattern[i] == '}' && depth > 0 && --depth == 0)
            {
                string prefix = pattern[..open], body = pattern[(open + 1)..i], rest = pattern[(i + 1)..];
                var alternatives = Alternatives(body, spec);
                if (alternatives is null)
                    return [.. ExpandOne(rest, spec).Select(r => prefix + "{" + body + "}" + r)];
                var tails = ExpandOne(rest, spec);
                var result = new List<string>(alternatives.Count * tails.Count);
                foreach (var alternative in alternatives)
                    foreach (var head in ExpandOne(alternative, spec))
                        foreach (var tail in tails)
                            result.Add(prefix + head + tail);
                return result;
            }
        }
        if (depth > 0)
            throw new ArgumentException($"shard spec '{spec}': the '{{' at position {open} of '{pattern}' is never closed", nameof(spec));
        return [pattern];
    }

    /// <summary>The choices inside one brace pair, or null when it is literal text.</summary>
    static List<string>? Alternatives(string body, string spec)
    {
        var parts = SplitTopLevel(body);
        if (parts.Count > 1)
            return parts;
        int dots = body.IndexOf("..", StringComparison.Ordinal);
        if (dots < 0 || body.Contains('{'))
            return null;
        string from = body[..dots], to = body[(dots + 2)..];
        if (!IsNumber(from) || !IsNumber(to))
            throw new ArgumentException(
                $"shard spec '{spec}': range '{{{body}}}' must have integer ends like {{000000..000099}}", nameof(spec));
        long a = long.Parse(from, CultureInfo.InvariantCulture), b = long.Parse(to, CultureInfo.InvariantCulture);
        if (Math.Abs(b - a) >= 10_000_000)
            throw new ArgumentException($"shard spec '{spec}': range '{{{body}}}' names {Math.Abs(b - a) + 1:N0} shards; split it", nameof(spec));
        bool padded = HasLeadingZero(from) || HasLeadingZero(to);
        int width = padded ? Math.Max(from.TrimStart('-').Length, to.TrimStart('-').Length) : 0;
        var result = new List<string>((int)Math.Abs(b - a) + 1);
        for (long v = a, step = b >= a ? 1 : -1; ; v += step)
        {
            string digits = Math.Abs(v).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            result.Add(v < 0 ? "-" + digits : digits);
            if (v == b)
                break;
        }
        return result;
    }

    static List<string> SplitTopLevel(string body)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        int depth = 0;
        foreach (char c in body)
        {
            if (c == ',' && depth == 0)
            {
                parts.Add(current.ToString());
                current.Clear();
                continue;
            }
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            current.Append(c);
        }
        parts.Add(current.ToString());
        return parts;
    }

    static bool IsNumber(string s)
    {
        string digits = s.StartsWith('-') ? s[1..] : s;
        return digits.Length is > 0 and <= 18 && digits.All(char.IsAsciiDigit);
    }

    static bool HasLeadingZero(string s)
    {
        string digits = s.TrimStart('-');
        return digits.Length > 1 && digits[0] == '0';
    }
}
