using System.Text;
using System.Text.Json;

namespace ClipUp.Data;

/// <summary>One WebDataset sample read by <see cref="WebDatasetReader"/>: the encoded image and its captions.</summary>
/// <param name="Shard">The shard file it came from.</param>
/// <param name="Key">Its key inside the shard (member names without extension).</param>
/// <param name="ImageExtension">Which image member was used (<c>jpg</c>, <c>png</c>, ...).</param>
/// <param name="Image">The encoded image bytes.</param>
/// <param name="Captions">One or more non-empty captions (several when the json field is an array).</param>
/// <param name="Attributes">The scalar fields of the <c>json</c> member (none without one).</param>
public sealed record WebDatasetSample(string Shard, string Key, string ImageExtension, byte[] Image,
    IReadOnlyList<string> Captions, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary><c>shard#key</c>: how rows, errors and <see cref="ImageTextRecord.Image"/> name this sample.</summary>
    public string Id => WebDatasetLayout.Id(Shard, Key);

    /// <summary>Decodes <see cref="Image"/> (<see cref="ImageDecoder.Decode"/>); errors name <see cref="Id"/>.</summary>
    public RgbImage Decode(ImageDecoderOptions? options = null) => ImageDecoder.Decode(Image, Id, options);
}

/// <summary>
/// How a <see cref="TarGroup"/> becomes an image-caption sample under <see cref="WebDatasetOptions"/>; shared by the
/// indexed <see cref="WebDatasetSource"/> and the streaming <see cref="WebDatasetReader"/> so both read a shard alike.
/// </summary>
public static class WebDatasetLayout
{
    /// <summary>An interpreted sample: its image member, captions, attributes, and how many empty captions it dropped.</summary>
    public sealed record Layout(TarMember Image, IReadOnlyList<string> Captions,
        IReadOnlyDictionary<string, string> Attributes, int EmptyCaptions);

    /// <summary><c>shard#key</c>.</summary>
    public static string Id(string shard, string key) => shard + "#" + key;

    /// <summary>Whether the member's bytes are needed: caption and json members always, image members when streaming.</summary>
    public static bool NeedsContent(string extension, WebDatasetOptions options, bool images) =>
        extension == "json" || options.CaptionExtensions.Contains(extension, StringComparer.OrdinalIgnoreCase)
        || (images && options.ImageExtensions.Contains(extension, StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// Picks the first image and caption member present. Returns null with <paramref name="reason"/> set when the
    /// sample has no usable image, no caption member, or a json member that is invalid or lacks the caption field.
    /// A sample whose captions are all empty returns a layout with no captions (callers count and drop it).
    /// </summary>
    public static Layout? Interpret(TarGroup group, WebDatasetOptions options, out string reason)
    {
        var image = options.ImageExtensions.Select(e => group.Members.GetValueOrDefault(e.ToLowerInvariant())).FirstOrDefault(m => m is not null);
        string found = string.Join(", ", group.Members.Keys);
        if (image is null)
        {
            reason = $"no image member ({string.Join(", ", options.ImageExtensions)}); members found: {found}";
            return null;
        }
        // Attributes come from the json member whenever it was read; an unreadable one only matters (and is
        // reported) when it is also the caption source. Samples without json share the empty set (memory: one
        // dictionary per sample adds ~200 bytes, which counts at millions of samples).
        var attributes = ImageTextRecord.NoAttributes;
        if (group.Members.TryGetValue("json", out var jsonMember) && jsonMember.Content is { } jsonBytes)
            attributes = JsonAttributes(jsonBytes, options.JsonCaptionField);
        foreach (var extension in options.CaptionExtensions.Select(e => e.ToLowerInvariant()))
        {
            if (!group.Members.TryGetValue(extension, out var member) || member.Content is null)
                continue;
            reason = "";
            var captions = extension == "json"
                ? JsonCaptions(member.Content, options.JsonCaptionField, out reason)
                : [Csv.DecodeUtf8(member.Content)];
            if (captions is null)
                return null;
            var kept = captions.Select(c => c.Trim()).Where(c => c.Length > 0).ToList();
            return new Layout(image, kept, attributes, captions.Count - kept.Count);
        }
        reason = $"no caption member ({string.Join(", ", options.CaptionExtensions)}); members found: {found}";
        return null;
    }

    static List<string>? JsonCaptions(byte[] json, string field, out string reason)
    {
        reason = "";
        using var doc = Parse(json, out reason);
        if (doc is null)
            return null;
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(field, out var value))
        {
            string fields = doc.RootElement.ValueKind == JsonValueKind.Object
                ? string.Join(", ", doc.RootElement.EnumerateObject().Select(p => p.Name))
                : doc.RootElement.ValueKind.ToString();
            reason = $"the json member has no '{field}' field (found: {fields}); set WebDatasetOptions.JsonCaptionField";
            return null;
        }
        if (value.ValueKind == JsonValueKind.String)
            return [value.GetString()!];
        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
            return [.. value.EnumerateArray().Select(v => v.GetString()!)];
        reason = $"the json field '{field}' is a {value.ValueKind}, expected a string or an array of strings";
        return null;
    }

    static IReadOnlyDictionary<string, string> JsonAttributes(byte[] json, string captionField)
    {
        using var doc = Parse(json, out _);
        if (doc is null || doc.RootElement.ValueKind != JsonValueKind.Object)
            return ImageTextRecord.NoAttributes;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (property.Name == captionField)
                continue;
            string? text = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => null, // arrays, objects and nulls are not attributes
            };
            if (text is not null)
                attributes.TryAdd(property.Name, text);
        }
        return attributes.Count == 0 ? ImageTextRecord.NoAttributes : attributes.AsReadOnly();
    }

    static JsonDocument? Parse(byte[] json, out string reason)
    {
        try
        {
            reason = "";
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            reason = $"the json member is not valid JSON ({e.Message})";
            return null;
        }
    }
}
