using System.Diagnostics;
using System.Text.Json.Nodes;
using ClipUp.Data;

namespace ClipUp.Bench;

/// <summary>
/// Data-loader throughput: JPEG decode + random-resized crop + normalise into training batches, as a training run
/// reads Flickr8k (images/s). Tells whether the loader can keep a step of a given speed fed.
/// </summary>
public static class LoaderBench
{
    public static JsonObject Run(string table, int size, int batch, int workers, int batches)
    {
        var source = new CsvImageTextSource(new CsvSourceOptions(table) { ImageRoot = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(table))!, "images") });
        var loader = new ImageTextLoader(source, LoaderConfig.Train(batch, 0) with { Workers = workers }, new ImageTransformConfig(size));
        int images = 0, seen = 0;
        var clock = new Stopwatch();
        foreach (var b in loader.ReadEpoch(0))
        {
            if (seen++ == 1) clock.Start();                 // the first batch pays for thread start-up and file-cache warm-up
            else if (seen > 1) images += b.Count;
            if (seen > batches) break;
        }
        clock.Stop();
        return new JsonObject
        {
            ["impl"] = "clipup", ["table"] = table, ["image_size"] = size, ["batch"] = batch, ["workers"] = workers,
            ["images"] = images, ["seconds"] = clock.Elapsed.TotalSeconds, ["images_per_s"] = images / clock.Elapsed.TotalSeconds,
        };
    }
}
