using System.Text;
using System.Text.Json.Nodes;
using ClipUp.Data;
using ClipUp.Experiments;
using ClipUp.Io;
using ClipUp.Tests.Data;
using ClipUp.Tests.Reliability;

namespace ClipUp.Tests.Cli;

/// <summary>`clipup train` on hostile data and configs, as a user meets it: exit codes, stderr, the log and results.json.</summary>
public class TrainCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("clipup-train-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>
    /// 12 readable shapes, then a decompression bomb (a JPEG header claiming 60,000 × 60,000 pixels), a caption with
    /// invalid UTF-8 (line 15) and an empty caption (line 16): 13 images, as in issue 15.
    /// </summary>
    private string HostileTable()
    {
        SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(12) { Seed = 1 }), dir, "shapes.tsv");
        var rows = File.ReadAllLines(Path.Combine(dir, "shapes.tsv")).Skip(1).Select(l => l.Split('\t')).Select(f => $"{f[0]}\t{f[1]}");
        File.WriteAllBytes(Path.Combine(dir, "images", "bomb.jpg"), TestImages.JpegClaimingSize(60_000, 60_000));
        var text = new MemoryStream();
        text.Write(Encoding.UTF8.GetBytes(string.Join('\n', ["image\tcaption", .. rows, "bomb.jpg\ta huge picture", ""])));
        text.Write([.. Encoding.UTF8.GetBytes(rows.First().Split('\t')[0] + "\ta caf"), 0xE9, .. "\n"u8]);     // Latin-1 é: invalid UTF-8
        text.Write(Encoding.UTF8.GetBytes(rows.Last().Split('\t')[0] + "\t \n"));
        string table = Path.Combine(dir, "train.tsv");
        File.WriteAllBytes(table, text.ToArray());
        return table;
    }

    private string Config(string json)
    {
        string path = Path.Combine(dir, "run.json");
        File.WriteAllText(path, json);
        return path;
    }

    private string RunJson(string table, string data = "", int warmup = 1, string eval = "") => $$"""
        {
          "model": "tiny", "context_length": 16, "device": "cpu", "out": "{{Path.Combine(dir, "run").Replace("\\", "\\\\")}}",
          "data": { "train": "{{table.Replace("\\", "\\\\")}}" {{data}} },
          "train": { "steps": 3, "batch_size": 4, "warmup_steps": {{warmup}}, "log_every": 1 }
          {{eval}}
        }
        """;

    [Fact]
    public void AnUnreadableImageBeyondTheLimitEndsWithExit2AndOneMessageNamingTheFileAndTheSetting()
    {
        var (code, stdout, stderr) = CliProcess.RunApart("train", "--config", Config(RunJson(HostileTable())), "--resume", "none");
        // Default data.max_error_fraction 0.01 of 13 images allows none.
        Assert.True(code == 2, $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("error: 1 of 13 images are unreadable", stderr);
        Assert.Contains("bomb.jpg", stderr);
        Assert.Contains("data.max_error_fraction", stderr);
        Assert.Contains("set data.max_error_fraction to 0.08 or more", stderr);
        Assert.DoesNotContain("   at ", stderr + stdout);               // no stack trace
        Assert.DoesNotContain("MaxErrorFraction", stderr);
    }

    [Fact]
    public void SkippedImagesAndRepairedLinesAreListedInTheLogAndInResultsJson()
    {
        string json = RunJson(HostileTable(), data: """, "max_error_fraction": 0.1""", eval: $$""", "eval": { "retrieval": "{{Path.Combine(dir, "shapes.tsv").Replace("\\", "\\\\")}}" }""");
        var (code, stdout, stderr) = CliProcess.RunApart("train", "--config", Config(json), "--resume", "none");
        Assert.True(code == 0, $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        string log = stdout + stderr;
        Assert.Contains("skipped 1 unreadable image(s)", log);
        Assert.Contains($"{Path.Combine(dir, "images", "bomb.jpg")}: ", log);
        Assert.Contains("1 line(s) with invalid UTF-8, kept with the bad bytes replaced by U+FFFD: lines 15", log);
        Assert.Contains("1 row(s) with an empty caption dropped: lines 16", log);
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run", "results.json")))!;
        var skipped = Assert.Single(results["skipped_files"]!.AsArray());
        Assert.EndsWith("bomb.jpg", (string)skipped!["file"]!);
        Assert.Contains("60000", ((string)skipped["reason"]!).Replace(",", ""));
        Assert.Equal(0, (int)results["skipped_files_not_listed"]!);
        Assert.Equal([15], results["table_rows"]!["invalid_utf8_lines"]!.AsArray().Select(n => (int)n!));
        Assert.Equal([16], results["table_rows"]!["empty_caption_lines"]!.AsArray().Select(n => (int)n!));
    }

    [Fact]
    public void SuspiciousSettingsGetAWarningOnStderrAtTheStart()
    {
        SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(8) { Seed = 1 }), dir, "train.tsv");
        string json = RunJson(Path.Combine(dir, "train.tsv"), warmup: 5);
        var (code, stdout, stderr) = CliProcess.RunApart("train", "--config", Config(json), "--resume", "none");
        Assert.True(code == 0, $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("warning: train.warmup_steps 5 >= train.steps 3", stderr);
        Assert.Contains("warning: neither eval.retrieval nor eval.zero_shot is set", stderr);
    }

    [Fact]
    public void AnUnknownKeyNamesTheNearestValidKeyOnStderr()
    {
        var (code, stdout, stderr) = CliProcess.RunApart("train", "--config", Config("""{ "train": { "stepz": 3 }, "data": { "seperator": "," } }"""));
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("unknown key train.stepz: did you mean train.steps?", stderr);
        Assert.Single(stderr.Trim().Split('\n'));                        // one line, not wrapped mid-sentence
    }

    [Fact]
    public void PrintConfigShowsEveryKeyWithADescriptionAndReadsBackAsTheDefaults()
    {
        var (code, stdout, _) = CliProcess.RunApart("train", "--print-config");
        Assert.Equal(0, code);
        Assert.Equal(RunConfigDocs.Print(), stdout);
        Assert.Equal(JsonConfig.Serialize(new RunConfig()), JsonConfig.Serialize(JsonConfig.Parse<RunConfig>(stdout)));
        // One learning-rate key: the derived schedule is not a second, silently ignored one.
        Assert.Single(stdout.Split('\n'), l => l.TrimStart().StartsWith("\"learning_rate\"", StringComparison.Ordinal));
        Assert.DoesNotContain("peak_lr", stdout);
        // The MoE section, uncommented, is a valid MoE config of defaults for the default model.
        var lines = stdout.Split('\n').ToList();
        int open = lines.FindIndex(l => l.TrimStart().StartsWith("// \"moe\": {", StringComparison.Ordinal));
        int close = lines.FindIndex(open, l => l.TrimStart().StartsWith("// }", StringComparison.Ordinal));
        Assert.True(open > 0 && close > open, stdout);
        for (int i = open; i <= close; i++) lines[i] = lines[i].Remove(lines[i].IndexOf("// ", StringComparison.Ordinal), 3);
        lines.RemoveAll(l => l.Trim() == "\"moe\": null,");
        var uncommented = lines;
        var withMoe = JsonConfig.Parse<RunConfig>(string.Join('\n', uncommented));
        Assert.Equal(JsonConfig.Serialize(new ClipUp.Moe.MoeConfig()), JsonConfig.Serialize(withMoe.Moe));
        withMoe.Moe!.Validate(withMoe.ModelConfig());
        foreach (var key in new[] { "num_experts", "top_k", "train_capacity_factor", "eval_capacity_factor", "placement", "separator", "drop_last" })
            Assert.Contains($"\"{key}\":", stdout);
    }

    [Fact]
    public void EveryDescribedKeyIsAKeyOfTheConfig()
    {
        static IEnumerable<string> Paths(JsonObject o, string prefix) => o.SelectMany(kv =>
        {
            string path = prefix + kv.Key;
            return kv.Value is JsonObject child ? [path, .. Paths(child, path + ".")] : new[] { path };
        });
        var keys = Paths(JsonNode.Parse(JsonConfig.Serialize(new RunConfig()))!.AsObject(), "")
            .Concat(Paths(JsonNode.Parse(JsonConfig.Serialize(new ClipUp.Moe.MoeConfig()))!.AsObject(), "moe."))
            .ToHashSet();
        Assert.Equal([], RunConfigDocs.Descriptions.Keys.Where(k => !keys.Contains(k)).ToArray());     // no stale description
        Assert.Equal([], keys.Where(k => !RunConfigDocs.Descriptions.ContainsKey(k)).ToArray());         // no undescribed key
    }
}
