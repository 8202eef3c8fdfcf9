using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClipUp.Notebooks;

/// <summary>
/// Writes JSON exactly as Jupyter does (<c>json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)</c> plus a
/// trailing newline), so a notebook saved by ClipUp and one saved by Jupyter diff cleanly: keys sorted by code point,
/// one space of indentation per level, <c>"key": value</c>, empty containers as <c>{}</c> and <c>[]</c>, and only
/// quotes, backslashes and control characters escaped.
/// </summary>
internal static class JupyterJson
{
    public static string Serialize(JsonNode node)
    {
        var sb = new StringBuilder();
        Write(sb, node, 0);
        return sb.Append('\n').ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node, int depth)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                if (obj.Count == 0) { sb.Append("{}"); break; }
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sb.Append(first ? "\n" : ",\n").Append(' ', depth + 1);
                    WriteString(sb, key);
                    sb.Append(": ");
                    Write(sb, value, depth + 1);
                    first = false;
                }
                sb.Append('\n').Append(' ', depth).Append('}');
                break;
            case JsonArray arr:
                if (arr.Count == 0) { sb.Append("[]"); break; }
                sb.Append('[');
                for (var i = 0; i < arr.Count; i++)
                {
                    sb.Append(i == 0 ? "\n" : ",\n").Append(' ', depth + 1);
                    Write(sb, arr[i], depth + 1);
                }
                sb.Append('\n').Append(' ', depth).Append(']');
                break;
            case JsonValue value:
                WriteValue(sb, value);
                break;
        }
    }

    private static void WriteValue(StringBuilder sb, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String: WriteString(sb, value.GetValue<string>()); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            case JsonValueKind.Null: sb.Append("null"); break;
            // Numbers keep the text they were read with (or .NET's shortest round-trip form for new ones).
            default: sb.Append(value.ToJsonString()); break;
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
