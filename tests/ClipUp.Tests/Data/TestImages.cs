using ClipUp.Data;
using SkiaSharp;

namespace ClipUp.Tests.Data;

/// <summary>Encoded test images built in memory: formats SkiaSharp can write, plus hand-made bytes for the rest.</summary>
static class TestImages
{
    /// <summary>Encodes a bitmap of any colour type as PNG or JPEG.</summary>
    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 100)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>A JPEG of <paramref name="image"/> at quality 95.</summary>
    public static byte[] Jpeg(RgbImage image) => Encode(ToBitmap(image), SKEncodedImageFormat.Jpeg, 95);

    /// <summary>A lossless PNG of <paramref name="image"/>.</summary>
    public static byte[] Png(RgbImage image) => SyntheticShapes.EncodePng(image);

    public static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        image.ToRgba().CopyTo(bitmap.GetPixelSpan());
        return bitmap;
    }

    /// <summary>
    /// An 8x8 baseline JPEG with four components and an Adobe APP14 marker (transform 0), i.e. a CMYK JPEG as
    /// Photoshop writes it: stored values are inverted ink (255 = no ink). SkiaSharp cannot encode CMYK, so the
    /// bytes are assembled here. Each component is one 8x8 block holding only a DC coefficient: with a quantiser of
    /// 1 the DC value is 8 * (v - 128) and the inverse DCT gives back exactly v in every pixel.
    /// </summary>
    public static byte[] CmykJpeg(byte c, byte m, byte y, byte k)
    {
        var o = new List<byte> { 0xFF, 0xD8 };
        void Segment(byte marker, byte[] payload)
        {
            int length = payload.Length + 2;
            o.AddRange([0xFF, marker, (byte)(length >> 8), (byte)length, .. payload]);
        }
        Segment(0xEE, [.. "Adobe"u8, 0x00, 0x64, 0, 0, 0, 0, 0]);                 // APP14, transform 0 = CMYK
        Segment(0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]);                  // DQT 0: all ones
        Segment(0xC0, [8, 0, 8, 0, 8, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]); // SOF0 8x8, 4 comps
        byte[] dcBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];          // JPEG Annex K.3 luminance DC
        byte[] dcValues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        Segment(0xC4, [0x00, .. dcBits, .. dcValues, 0x10, 1, .. new byte[15], 0x00]); // DC table 0; AC table 0 = {EOB: "0"}
        Segment(0xDA, [4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0]);          // SOS, all four components

        var codes = CanonicalCodes(dcBits);
        var bits = new List<bool>();
        void Write(int value, int count)
        {
            for (int i = count - 1; i >= 0; i--)
                bits.Add(((value >> i) & 1) == 1);
        }
        foreach (var v in new[] { c, m, y, k })
        {
            int diff = 8 * (v - 128), category = diff == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(diff));
            Write(codes[category].Code, codes[category].Length);
            Write(diff >= 0 ? diff : diff + (1 << category) - 1, category);
            Write(0, 1); // end of block
        }
        while (bits.Count % 8 != 0)
            bits.Add(true);
        for (int i = 0; i < bits.Count; i += 8)
        {
            byte b = 0;
            for (int j = 0; j < 8; j++)
                b = (byte)((b << 1) | (bits[i + j] ? 1 : 0));
            o.Add(b);
            if (b == 0xFF)
                o.Add(0x00); // byte stuffing
        }
        o.AddRange([0xFF, 0xD9]);
        return [.. o];
    }

    static (int Code, int Length)[] CanonicalCodes(byte[] bitsPerLength)
    {
        var codes = new List<(int, int)>();
        int code = 0;
        for (int length = 1; length <= 16; length++, code <<= 1)
            for (int i = 0; i < bitsPerLength[length - 1]; i++)
                codes.Add((code++, length));
        return [.. codes];
    }

    /// <summary>Inserts an EXIF APP1 segment with orientation <paramref name="orientation"/> (1-8) after the JPEG's SOI.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] app1 =
        [
            0xFF, 0xE1, 0x00, 0x22, .. "Exif"u8, 0, 0,
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF header, IFD at 8
            0x00, 0x01,                                               // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,           // Orientation, SHORT, count 1
            0x00, (byte)orientation, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,                                   // no next IFD
        ];
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    /// <summary>A valid small JPEG whose frame header claims <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static byte[] JpegClaimingSize(int width, int height)
    {
        var bytes = Jpeg(RgbImage.Filled(8, 8, 90, 90, 90));
        for (int i = 2; i + 8 < bytes.Length; i++)
        {
            if (bytes[i] == 0xFF && bytes[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                bytes[i + 5] = (byte)(height >> 8);
                bytes[i + 6] = (byte)height;
                bytes[i + 7] = (byte)(width >> 8);
                bytes[i + 8] = (byte)width;
                return bytes;
            }
        }
        throw new InvalidOperationException("no SOF marker in the test JPEG");
    }
}
