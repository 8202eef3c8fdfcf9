using SkiaSharp;

namespace ClipUp.Data;

/// <summary>Limits and policies for <see cref="ImageDecoder"/>.</summary>
/// <param name="MaxPixels">Largest width x height decoded; larger headers are refused before any pixel is decoded
/// (a 60,000 x 60,000 "image" of a few bytes would otherwise ask for 14 GB). Default 100 megapixels.</param>
/// <param name="ApplyExifOrientation">Rotate/flip JPEGs as their EXIF orientation tag says (a phone photo stored
/// sideways comes out upright). open_clip does not do this; it only matters for camera originals.</param>
public sealed record ImageDecoderOptions(long MaxPixels = 100_000_000, bool ApplyExifOrientation = true)
{
    /// <summary>Throws when a limit is not positive.</summary>
    public ImageDecoderOptions Validate()
    {
        if (MaxPixels <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxPixels), MaxPixels, "MaxPixels must be positive (default 100,000,000)");
        return this;
    }
}

/// <summary>
/// Decodes encoded images (JPEG, PNG, WebP, GIF, BMP, ... whatever SkiaSharp's <see cref="SKCodec"/> reads) into
/// 8-bit <see cref="RgbImage"/>s.
/// <list type="bullet">
/// <item>Grayscale becomes R = G = B; CMYK / YCCK JPEGs are converted by Skia (Adobe inverted-CMYK convention);
/// 16-bit PNGs are reduced to 8 bits by Skia.</item>
/// <item>Alpha is composited over white (<see cref="RgbImage.FromRgbaOverWhite"/> says why).</item>
/// <item>No colour management: embedded ICC profiles are ignored, like PIL and open_clip.</item>
/// <item>EXIF orientation is applied when <see cref="ImageDecoderOptions.ApplyExifOrientation"/> is set.</item>
/// </list>
/// Every failure caused by the input (empty, not an image, truncated, corrupt, too large) throws
/// <see cref="InvalidDataException"/> whose message starts with the file name, so a loader can count and skip it.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Reads and decodes the file at <paramref name="path"/>. A missing file throws <see cref="FileNotFoundException"/>.</summary>
    public static RgbImage DecodeFile(string path, ImageDecoderOptions? options = null)
        => Decode(File.ReadAllBytes(path), path, options);

    /// <summary>Decodes <paramref name="encoded"/>; <paramref name="name"/> (a file name) is used in error messages.</summary>
    public static RgbImage Decode(ReadOnlySpan<byte> encoded, string name, ImageDecoderOptions? options = null)
    {
        options = (options ?? new ImageDecoderOptions()).Validate();
        if (encoded.IsEmpty)
            throw new InvalidDataException($"{name}: the file is empty (0 bytes), not an image");

        using var data = SKData.CreateCopy(encoded);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var opened);
        if (codec is null)
            throw OpenFailure(opened, encoded, name);

        // SKCodec has parsed only the header here: refuse huge images before allocating their pixels.
        int width = codec.Info.Width, height = codec.Info.Height;
        long pixels = (long)width * height;
        if (width <= 0 || height <= 0)
            throw new InvalidDataException($"{name}: the header declares an empty image ({width}x{height})");
        if (pixels > options.MaxPixels)
            throw new InvalidDataException(
                $"{name}: {width}x{height} = {pixels:N0} pixels exceeds the limit of {options.MaxPixels:N0}; " +
                "resize the file or raise ImageDecoderOptions.MaxPixels");

        var rgba = new byte[pixels * 4];
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var result = codec.GetPixels(info, rgba);
        if (result != SKCodecResult.Success)
            throw new InvalidDataException(result == SKCodecResult.IncompleteInput
                ? $"{name}: the image data is truncated (decoder reported {result})"
                : $"{name}: the image data is corrupt (decoder reported {result})");

        var image = RgbImage.FromRgbaOverWhite(width, height, rgba);
        return options.ApplyExifOrientation ? ExifOrientation.Apply(image, codec.EncodedOrigin) : image;
    }

    /// <summary>
    /// Width and height from the header alone (SKCodec parses it; no pixel is decoded, so this costs microseconds),
    /// swapped when the EXIF orientation transposes the image and <see cref="ImageDecoderOptions.ApplyExifOrientation"/>
    /// is set: the size <see cref="Decode"/> would return. Unreadable headers throw like <see cref="Decode"/>.
    /// </summary>
    public static (int Width, int Height) ReadSize(ReadOnlySpan<byte> encoded, string name, ImageDecoderOptions? options = null)
    {
        options ??= new ImageDecoderOptions();
        if (encoded.IsEmpty)
            throw new InvalidDataException($"{name}: the file is empty (0 bytes), not an image");
        using var data = SKData.CreateCopy(encoded);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var opened) ?? throw OpenFailure(opened, encoded, name);
        int width = codec.Info.Width, height = codec.Info.Height;
        bool transposed = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop
            or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        return options.ApplyExifOrientation && transposed ? (height, width) : (width, height);
    }

    static InvalidDataException OpenFailure(SKCodecResult opened, ReadOnlySpan<byte> encoded, string name) =>
        new(opened == SKCodecResult.IncompleteInput
            ? $"{name}: the image is truncated inside its header ({encoded.Length} bytes)"
            : $"{name}: not a readable image (no JPEG/PNG/WebP/GIF/BMP signature; first bytes {Hex(encoded)}, {encoded.Length} bytes)");

    static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes[..Math.Min(8, bytes.Length)]);
}
