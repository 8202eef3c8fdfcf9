using System.Text.Encodings.Web;
using System.Text.Json;
using SkiaSharp;

namespace ClipUp.Data;

/// <summary>Settings of <see cref="DataPrepare.ToWebDataset"/>.</summary>
/// <param name="ImageSize">Target of the shorter image side in pixels (torchvision <c>Resize(int)</c> semantics).</param>
/// <param name="SamplesPerShard">Images per shard.</param>
public sealed record PrepareOptions(int ImageSize, int SamplesPerShard)
{
    /// <summary>JPEG quality of the re-encoded images, 1-100 (img2dataset's default is 95; 90 halves the bytes of
    /// 95 with no visible change at CLIP resolutions).</summary>
    public int JpegQuality { get; init; } = 90;

    /// <summary>Shard file names (<see cref="WebDatasetWriterOptions.NamePattern"/>).</summary>
    public string NamePattern { get; init; } = "data-{0:D6}.tar";

    /// <summary>Also enlarge images whose shorter side is below <see cref="ImageSize"/>. Off by default: the loader
    /// resizes anyway, and enlarging only stores more bytes of the same detail (img2dataset's
    /// <c>resize_only_if_bigger</c>).</summary>
    public bool Enlarge { get; init; }

    /// <summary>Images decoded and encoded in parallel. The output does not depend on it.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Decoder limits (maximum pixels, EXIF orientation: rotated photos are stored upright).</summary>
    public ImageDecoderOptions Decoder { get; init; } = new();

    /// <summary>Throws with the offending value when a setting is impossible.</summary>
    public PrepareOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ImageSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SamplesPerShard);
        if (JpegQuality is < 1 or > 100)
            throw new ArgumentOutOfRangeException(nameof(JpegQuality), JpegQuality, "JpegQuality must be in [1, 100]");
        if (Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "Workers must be at least 1");
        Decoder.Validate();
        return this;
    }
}

/// <summary>
/// Converts any <see cref="ImageTextSource"/> (an image folder, a CSV/TSV table, ...) into resized WebDataset shards
/// (img2dataset's job): one sample per distinct image, in first-appearance order, with key <c>NNNNNNNNN</c> (the
/// image's position in that order) and three members:
/// <list type="bullet">
/// <item><c>jpg</c>: the decoded image (EXIF orientation applied, alpha over white), shorter side resized to
/// <see cref="PrepareOptions.ImageSize"/> with antialiased bicubic resampling, JPEG-encoded.</item>
/// <item><c>txt</c>: the first caption (what open_clip's WebDataset pipeline reads).</item>
/// <item><c>json</c>: <c>caption</c> (the first), <c>captions</c> (all of the image's rows, e.g. Flickr8k's five),
/// <c>source</c> (the original image path) and the first row's attributes.</item>
/// </list>
/// Read it back with <see cref="WebDatasetOptions.FromManifest"/> (one caption per image) or
/// <see cref="WebDatasetOptions.AllCaptions"/> (every caption). Unreadable images are skipped and listed in the
/// manifest. Existing files in the output folder are overwritten, never deleted.
/// </summary>
public static class DataPrepare
{
    static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes the shards and <c>manifest.json</c> into <paramref name="outDir"/> and returns the manifest.
    /// <paramref name="progress"/> receives the number of images handled so far (written or skipped).
    /// </summary>
    public static WebDatasetManifest ToWebDataset(ImageTextSource source, string outDir, PrepareOptions options,
        IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        var images = source.RowsByImage();
        using var writer = new WebDatasetWriter(new WebDatasetWriterOptions(outDir)
        {
            SamplesPerShard = options.SamplesPerShard,
            NamePattern = options.NamePattern,
        });
        var skipped = new List<DataError>();
        int chunk = 16 * options.Workers;
        var results = new (byte[]? Jpeg, DataError? Error)[chunk];
        for (int start = 0; start < images.Count; start += chunk)
        {
            int count = Math.Min(chunk, images.Count - start);
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = options.Workers, CancellationToken = cancel },
                i => results[i] = Convert(source, images[start + i][0], options));
            for (int i = 0; i < count; i++)
            {
                var rows = images[start + i];
                if (results[i].Error is { } error)
                {
                    skipped.Add(error);
                    continue;
                }
                writer.Write($"{start + i:D9}",
                    [("jpg", results[i].Jpeg!), ("txt", System.Text.Encoding.UTF8.GetBytes(source[rows[0]].Caption)), ("json", Json(source, rows))]);
            }
            progress?.Report(start + count);
        }
        return writer.Finish(skipped);
    }

    /// <summary>Size after resizing the shorter side to <paramref name="size"/> (torchvision's <c>Resize(int)</c>:
    /// the longer side is <c>floor(size * long / short)</c>); unchanged when already small enough and not enlarging.</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int size, bool enlarge)
    {
        int shorter = Math.Min(width, height), longer = Math.Max(width, height);
        if (shorter == size || (shorter < size && !enlarge))
            return (width, height);
        int scaled = Math.Max(1, (int)((long)size * longer / shorter));
        return width <= height ? (size, scaled) : (scaled, size);
    }

    /// <summary>JPEG bytes of <paramref name="image"/> at <paramref name="quality"/> (1-100), via SkiaSharp.</summary>
    public static byte[] EncodeJpeg(RgbImage image, int quality)
    {
        using var sk = SKImage.FromPixelCopy(
            new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque), image.ToRgba());
        using var data = sk.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    static (byte[]?, DataError?) Convert(ImageTextSource source, int row, PrepareOptions options)
    {
        RgbImage image;
        try
        {
            image = source.LoadImage(row, options.Decoder);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return (null, new DataError(source[row].Image, e.Message));
        }
        var (w, h) = ResizedSize(image.Width, image.Height, options.ImageSize, options.Enlarge);
        if (w != image.Width || h != image.Height)
            image = ImageResampler.CropResize(image, new CropBox(0, 0, image.Width, image.Height), w, h, Interpolation.Bicubic);
        return (EncodeJpeg(image, options.JpegQuality), null);
    }

    static byte[] Json(ImageTextSource source, int[] rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            var first = source[rows[0]];
            json.WriteStartObject();
            json.WriteString("caption", first.Caption);
            json.WriteStartArray("captions");
            foreach (int row in rows)
                json.WriteStringValue(source[row].Caption);
            json.WriteEndArray();
            json.WriteString("source", first.Image);
            foreach (var (name, value) in first.Attributes)
                if (name is not ("caption" or "captions" or "source"))
                    json.WriteString(name, value);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
