using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;

namespace ClipUp.Io;

/// <summary>
/// How ClipUp reads and writes JSON configs: snake_case keys, enums as strings, and unknown keys rejected
/// (STYLE R2: a misspelt key fails instead of being silently ignored). Errors name the file, the key path and the fix.
/// </summary>
public static class JsonConfig
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads a config file; the message of any failure names the file and the offending key.</summary>
    public static T Load<T>(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config file {path} not found: check the path given to --config", path);
        return Parse<T>(File.ReadAllText(path), path);
    }

    public static T Parse<T>(string json, string source = "config")
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                   ?? throw new InvalidDataException($"{source} is empty (null): write a JSON object");
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at {e.Path}";
            var what = UnknownKey(e, typeof(T)) is { } unknown
                ? unknown
                : e.Message.Split(" Path:")[0] + where;
            throw new InvalidDataException($"{source}: {what}", e);
        }
    }

    /// <summary>"unknown key train.stepz: did you mean train.steps?" for an unmapped key, else null.</summary>
    private static string? UnknownKey(JsonException e, Type root)
    {
        var match = Regex.Match(e.Message, @"The JSON property '(?<key>[^']*)' could not be mapped to any \.NET member contained in type '(?<type>[^']*)'");
        if (!match.Success) return null;
        string key = match.Groups["key"].Value;
        // e.Path is "$.train.stepz" (or "$['odd key']"); the user writes "train.stepz".
        string path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? key : e.Path.TrimStart('$', '.');
        string parent = path.EndsWith(key, StringComparison.Ordinal) ? path[..^key.Length].TrimEnd('.') : "";
        var type = FindType(root, match.Groups["type"].Value);
        var valid = type is null ? [] : Options.GetTypeInfo(type).Properties.Select(p => p.Name).ToArray();
        string? nearest = Nearest(key, valid);
        string prefix = parent.Length > 0 ? parent + "." : "";
        string hint = nearest is not null ? $"did you mean {prefix}{nearest}? " : "";
        string keys = valid.Length > 0 && valid.Length <= 12 ? $" (valid here: {string.Join(", ", valid)})" : "";
        return $"unknown key {path}: {hint}`clipup train --print-config` lists every key{keys}";
    }

    private static Type? FindType(Type root, string fullName)
    {
        var seen = new HashSet<Type>();
        var stack = new Stack<Type>([root]);
        while (stack.TryPop(out var t))
        {
            t = Nullable.GetUnderlyingType(t) ?? t;
            if (!seen.Add(t)) continue;
            if (t.FullName == fullName) return t;
            if (t.IsPrimitive || t == typeof(string) || t.IsEnum) continue;
            foreach (var p in t.GetProperties())
            {
                stack.Push(p.PropertyType);
                foreach (var g in p.PropertyType.GetGenericArguments()) stack.Push(g);
                if (p.PropertyType.IsArray) stack.Push(p.PropertyType.GetElementType()!);
            }
        }
        return Type.GetType(fullName);
    }

    /// <summary>The valid key closest to <paramref name="key"/> by edit distance, when close enough to be a typo.</summary>
    public static string? Nearest(string key, IEnumerable<string> valid)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var v in valid)
        {
            int d = EditDistance(key.ToLowerInvariant(), v);
            if (d < bestDistance) (best, bestDistance) = (v, d);
        }
        return best is not null && bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
