using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClipUp.Data;

/// <summary>One written shard: file name (relative to the manifest's folder), samples and bytes.</summary>
public sealed record WebDatasetShardInfo(string Name, int Samples, long Bytes);

/// <summary>
/// <c>manifest.json</c> beside shards written by <see cref="WebDatasetWriter"/>: the shard pattern to read them
/// back with (<see cref="WebDatasetOptions.FromManifest"/>), per-shard counts and sizes, and the samples the
/// writer's caller left out (unreadable images in <see cref="DataPrepare"/>).
/// </summary>
/// <param name="Pattern">Brace pattern naming every shard, e.g. <c>data-{000000..000004}.tar</c>.</param>
/// <param name="Shards">The shards in order.</param>
/// <param name="Samples">Samples over all shards.</param>
/// <param name="Bytes">Bytes over all shards.</param>
/// <param name="Skipped">Inputs not written, with the reason.</param>
public sealed record WebDatasetManifest(string Pattern, IReadOnlyList<WebDatasetShardInfo> Shards, int Samples, long Bytes,
    IReadOnlyList<DataError> Skipped)
{
    /// <summary>The manifest's file name inside the output folder.</summary>
    public const string FileName = "manifest.json";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Writes the manifest as indented JSON to <paramref name="path"/>.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads a manifest; a file that is not one throws <see cref="InvalidDataException"/> naming it.</summary>
    public static WebDatasetManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<WebDatasetManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: the manifest is empty (null)");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a WebDataset manifest written by ClipUp ({e.Message})", e);
        }
    }
}
