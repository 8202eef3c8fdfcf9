using System.Text;
using ClipUp.Data;

namespace ClipUp.Tests.Data;

/// <summary>Small WebDataset shards for tests: sample i is an 8x8 PNG of colour (10 i, 255 - 10 i, 7) with caption "sample i".</summary>
static class TestShards
{
    public static RgbImage Image(int i) => RgbImage.Filled(8, 8, (byte)(10 * i), (byte)(255 - 10 * i), 7);

    public static string Caption(int i) => $"sample {i}";

    /// <summary>Writes <paramref name="count"/> samples (keys s000, s001, ...) as png + txt members.</summary>
    public static WebDatasetManifest Write(string dir, int count, int perShard)
    {
        using var writer = new WebDatasetWriter(new WebDatasetWriterOptions(dir) { SamplesPerShard = perShard });
        for (int i = 0; i < count; i++)
            writer.Write($"s{i:D3}", [("png", TestImages.Png(Image(i))), ("txt", Encoding.UTF8.GetBytes(Caption(i)))]);
        return writer.Finish();
    }

    /// <summary>The sample number in a caption "sample i".</summary>
    public static int Number(string caption) => int.Parse(caption["sample ".Length..]);
}
