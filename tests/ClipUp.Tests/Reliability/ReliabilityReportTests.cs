using ClipUp.Data;
using ClipUp.Experiments;
using ClipUp.Io;
using ClipUp.Model;
using ClipUp.Text;
using ClipUp.Training;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Reliability;

/// <summary>
/// The reliability guarantees in one table (README, "Reliability"): each hostile input, what ClipUp promises, and what
/// it did. The table is written to artifacts/reliability-report.md, which ./test.sh prints at the end of a run.
/// Each row is also a check: the test fails when any observation misses its expectation.
/// </summary>
[Collection("TorchGlobal")]
public class ReliabilityReportTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-hostile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private sealed record Case(string Name, string Expected, Func<string> Observe, Func<string, bool> Ok);

    private static string Throws(Action a)
    {
        try { a(); return "no error"; }
        catch (Exception e) { return $"{e.GetType().Name}: {e.Message.Split('\n')[0]}"; }
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Png(int w, int h, SKColorType type)
    {
        using var bmp = new SKBitmap(new SKImageInfo(w, h, type, SKAlphaType.Unpremul));
        bmp.Erase(new SKColor(200, 100, 50, 128));
        return bmp.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    }

    [Fact]
    public void EveryHostileInputGetsItsPromisedAnswer()
    {
        var png = Png(8, 8, SKColorType.Rgba8888);
        var tsv = Write("t.tsv", "image\tcaption\nx.png\thello\n"u8.ToArray());
        var cases = new List<Case>
        {
            new("zero-byte image", "InvalidDataException naming the file", () => Throws(() => ImageDecoder.DecodeFile(Write("empty.png", []))),
                o => o.StartsWith("InvalidDataException") && o.Contains("empty.png")),
            new("truncated image", "InvalidDataException naming the file", () => Throws(() => ImageDecoder.DecodeFile(Write("cut.png", png[..(png.Length / 2)]))),
                o => o.StartsWith("InvalidDataException") && o.Contains("cut.png")),
            new("text file named .jpg", "InvalidDataException naming the file", () => Throws(() => ImageDecoder.DecodeFile(Write("text.jpg", "hello"u8.ToArray()))),
                o => o.StartsWith("InvalidDataException") && o.Contains("text.jpg")),
            new("image with alpha", "decoded to RGB (composited on white)", () => { var i = ImageDecoder.DecodeFile(Write("alpha.png", png)); return $"{i.Width}x{i.Height} RGB"; },
                o => o == "8x8 RGB"),
            new("grayscale image", "decoded to RGB", () => { var i = ImageDecoder.DecodeFile(Write("gray.png", Png(4, 3, SKColorType.Gray8))); return $"{i.Width}x{i.Height} RGB"; },
                o => o == "4x3 RGB"),
            new("image over the pixel limit", "refused before decoding, with the limit", () => Throws(() =>
                    ImageDecoder.DecodeFile(Write("big.png", Png(64, 64, SKColorType.Rgba8888)), new ImageDecoderOptions(MaxPixels: 1000))),
                o => o.StartsWith("InvalidDataException") && o.Contains("1000", StringComparison.Ordinal) || o.Contains("1,000")),
            new("TSV without the caption column", "error listing the header found", () => Throws(() =>
                    new CsvImageTextSource(new CsvSourceOptions(tsv) { CaptionColumn = "title" })),
                o => o.Contains("title") && o.Contains("caption")),
            new("over-long caption", "truncated to the context, end token kept", () =>
                {
                    var ids = ClipTokenizer.Default.Tokenize([string.Join(' ', Enumerable.Repeat("word", 200))], 77);
                    return $"last id {ids[0, 76].item<long>()}";
                },
                o => o == "last id 49407"),
            new("config with an unknown key", "error naming the key path", () => Throws(() => JsonConfig.Parse<RunConfig>("""{"train":{"stepz":3}}""", "run.json")),
                o => o.Contains("unknown key") && o.Contains("stepz")),
            new("negative learning rate", "error with the value and a hint", () => Throws(() => new TrainConfig { LearningRate = -1 }.Validate()),
                o => o.Contains("train.learning_rate -1")),
            new("truncated safetensors", "error saying truncated, naming the file", () =>
                {
                    var path = Path.Combine(dir, "w.safetensors");
                    SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = torch.ones(100) });
                    var b = File.ReadAllBytes(path);
                    File.WriteAllBytes(path, b[..(b.Length - 40)]);
                    return Throws(() => SafeTensors.Load(path));
                },
                o => o.Contains("truncated") && o.Contains("w.safetensors")),
            new("checkpoint of another architecture", "error listing the mismatched keys", () =>
                {
                    using var small = new ClipModel(ClipConfig.Tiny);
                    using var deeper = new ClipModel(ClipConfig.Tiny with { Text = ClipConfig.Tiny.Text with { Layers = 3 } });
                    return Throws(() => Checkpoint.LoadModel(deeper, small.state_dict(), "small.safetensors"));
                },
                o => o.Contains("transformer.resblocks.2") && o.Contains("missing")),
            new("wrong image tensor shape", "error with expected and actual shapes", () =>
                {
                    using var m = new ClipModel(ClipConfig.Tiny);
                    return Throws(() => m.EncodeImage(torch.zeros(2, 3, 16, 16)));
                },
                o => o.Contains("[B, 3, 32, 32]") && o.Contains("[2, 3, 16, 16]")),
        };
        var rows = cases.Select(c => { var o = c.Observe(); return (c.Name, c.Expected, Observed: o, Ok: c.Ok(o)); }).ToList();
        var report = new List<string> { "| case | expected | observed | ok |", "| --- | --- | --- | --- |" };
        report.AddRange(rows.Select(r => $"| {r.Name} | {r.Expected} | {r.Observed.Replace("|", "\\|")} | {(r.Ok ? "yes" : "NO")} |"));
        var artifacts = Path.Combine(TestData.RepoRoot, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.WriteAllText(Path.Combine(artifacts, "reliability-report.md"), string.Join('\n', report) + "\n");
        Assert.True(rows.All(r => r.Ok), string.Join('\n', rows.Where(r => !r.Ok).Select(r => $"{r.Name}: {r.Observed}")));
    }
}
