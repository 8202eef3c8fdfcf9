using System.Text.Json;
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
            var what = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"unknown key{where}: check the spelling against `clipup train --print-config`"
                : e.Message.Split(" Path:")[0] + where;
            throw new InvalidDataException($"{source}: {what}", e);
        }
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
