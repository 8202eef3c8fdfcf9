using System.Text;

namespace ClipUp.Data;

/// <summary>One record of a delimited text file: its 1-based starting line and its fields.</summary>
public sealed record CsvRow(int Line, string[] Fields);

/// <summary>
/// Reads delimited text (TSV or CSV) the way pandas' <c>read_csv</c> does for open_clip's CsvDataset:
/// a field that starts with <c>"</c> is quoted and may contain the separator, line breaks and <c>""</c> for a quote;
/// a <c>"</c> anywhere else is an ordinary character (Flickr8k captions contain <c>a sign that says " sale "</c>).
/// Blank lines are skipped; <c>\n</c>, <c>\r\n</c> and <c>\r</c> all end a record.
/// </summary>
public static class Csv
{
    /// <summary>
    /// Decodes <paramref name="bytes"/> as UTF-8 (a BOM is dropped). Invalid byte sequences become U+FFFD instead of
    /// failing the whole file; <see cref="Parse"/>'s callers report the affected lines.
    /// </summary>
    public static string DecodeUtf8(byte[] bytes)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
        int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        return utf8.GetString(bytes, start, bytes.Length - start);
    }

    /// <summary>Splits <paramref name="text"/> into records; <paramref name="name"/> names the file in errors.</summary>
    public static IEnumerable<CsvRow> Parse(string text, char separator, string name)
    {
        if (separator is '"' or '\n' or '\r')
            throw new ArgumentException($"separator {Escape(separator)} cannot be a quote or a line break", nameof(separator));
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        bool fieldStarted = false;
        while (i < text.Length)
        {
            char ch = text[i];
            if (ch == '"' && field.Length == 0 && !fieldStarted)
            {
                int quoteLine = line;
                i++;
                while (true)
                {
                    if (i >= text.Length)
                        throw new InvalidDataException($"{name} line {quoteLine}: a quoted field is never closed (missing '\"')");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
                        line++;
                    field.Append(text[i++]);
                }
                fieldStarted = true; // characters after the closing quote are kept literally, as pandas does
                continue;
            }
            if (ch == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
                fieldStarted = false;
                i++;
                continue;
            }
            if (ch == '\r' || ch == '\n')
            {
                i += ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                if (fields.Count > 0 || field.Length > 0 || fieldStarted)
                {
                    fields.Add(field.ToString());
                    yield return new CsvRow(recordLine, [.. fields]);
                }
                fields.Clear();
                field.Clear();
                fieldStarted = false;
                line++;
                recordLine = line;
                continue;
            }
            field.Append(ch);
            fieldStarted = true;
            i++;
        }
        if (fields.Count > 0 || field.Length > 0 || fieldStarted)
        {
            fields.Add(field.ToString());
            yield return new CsvRow(recordLine, [.. fields]);
        }
    }

    /// <summary>
    /// Formats one record (no line break): a field is quoted, with inner quotes doubled, when it contains the
    /// separator or a line break or starts with a quote, so <see cref="Parse"/> reads back the same fields.
    /// </summary>
    public static string FormatRow(IEnumerable<string> fields, char separator)
        => string.Join(separator, fields.Select(f =>
            f.Contains(separator) || f.Contains('\n') || f.Contains('\r') || f.StartsWith('"')
                ? "\"" + f.Replace("\"", "\"\"") + "\""
                : f));

    internal static string Escape(char c) => c switch { '\t' => "'\\t'", _ => $"'{c}'" };
}
