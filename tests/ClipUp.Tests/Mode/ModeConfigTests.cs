using ClipUp.Data;
using ClipUp.Experiments;
using ClipUp.Io;
using ClipUp.Mode;
using ClipUp.Tests.Data;
using ClipUp.Training;

namespace ClipUp.Tests.Mode;

public class ModeConfigTests
{
    private static string Samples(string path) => Path.Combine(TestData.RepoRoot, "data-samples", path);

    private static ModeConfig Valid => new()
    {
        Tables = [new ModeTable { Path = Samples("flickr8k/train.tsv") }, new ModeTable { Path = Samples("fashion/train.tsv") }],
        Train = new TrainConfig { Steps = 32, BatchSize = 8 },
    };

    [Fact]
    public void AConfigReadsNestedRoutingOptionsWithSnakeCaseKeys()
    {
        var cfg = JsonConfig.Parse<ModeConfig>($$"""
            { "tables": [ { "path": "{{Samples("flickr8k/train.tsv")}}", "domain": "photos" } ],
              "clustering": { "embedder": "tfidf:64", "fine_clusters": 8, "experts": 4 },
              "seed_fraction": 0.75, "out_of_cluster_ratio": 0,
              "eval": { "paper_routing": { "lambda": 0.3, "class_count_heuristics": false }, "code_routing": { "temperature": 2 } } }
            """);
        Assert.Equal("photos", cfg.Tables[0].DomainName);
        Assert.Equal(4, cfg.Clustering.Experts);
        Assert.Equal(new PaperRouting(0.3, false), cfg.Eval.PaperRouting);
        Assert.Equal(new CodeRouting(Temperature: 2), cfg.Eval.CodeRouting);
        Assert.Equal(0, cfg.OutOfClusterRatio);
    }

    [Fact]
    public void AnUnknownSplitIsRefusedWithTheChoicesAndSharedRunsMoveOnlyTheSeedAndDense()
    {
        var e = Assert.Throws<ArgumentException>(() => (Valid with { Split = "halves" }).Validate());
        Assert.Contains("split 'halves'", e.Message);
        Assert.Contains("random (Random-n)", e.Message);
        (Valid with { Split = "full" }).Validate();
        var paths = (Valid with { Out = "/o", SharedRuns = "/s" }).Paths;
        Assert.Equal(("/s/seed", "/s/dense", "/o/experts/expert_00", "/o/clustering.bin"), (paths.Seed, paths.Dense, paths.Expert(0), paths.Clustering));
    }

    [Theory]
    [InlineData(1, 32.0 / 32)]     // (27 + 5)/32
    [InlineData(2, 37.0 / 32)]     // MoDE-2: 1.15625
    [InlineData(4, 47.0 / 32)]     // MoDE-4: 1.46875
    public void ThePaperFractionsCost27Plus5nOver32DenseRuns(int experts, double expected)
    {
        var cfg = Valid with { Clustering = new ModeClusteringConfig { Experts = experts } };
        Assert.Equal((27, 5), (cfg.SeedSteps, cfg.ExpertSteps));
        Assert.Equal(expected, CostModel.RelativeTrainingCompute(experts, cfg.Schedule), 12);
    }

    [Theory]
    [InlineData("""{ "seed_fraction": 0.99 }""", "0.99")]                       // round(0.99·32) = 32 seed steps, 0 expert steps
    [InlineData("""{ "clustering": { "embedder": "bert" } }""", "bert")]
    [InlineData("""{ "clustering": { "experts": 4, "fine_clusters": 3 } }""", "fine_clusters 3 is below experts 4")]
    [InlineData("""{ "out_of_cluster_ratio": 1.5 }""", "out_of_cluster_ratio 1.5")]
    [InlineData("""{ "eval": { "zero_shot": [ { "name": "x", "table": "t.tsv" } ] } }""", "class_column")]
    public void BadValuesAreRejectedWithTheValueAndTheFix(string json, string expected)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node["tables"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["path"] = Samples("flickr8k/train.tsv") });
        node["train"] = new System.Text.Json.Nodes.JsonObject { ["steps"] = 32, ["batch_size"] = 8 };
        var cfg = JsonConfig.Parse<ModeConfig>(node.ToJsonString());
        var e = Assert.ThrowsAny<Exception>(() =>
        {
            cfg.Validate();
            ModeEmbedders.Create(cfg.Clustering.Embedder, ["a caption"], cfg.Paths, TorchSharp.torch.CPU);
        });
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TwoTablesFromFoldersOfTheSameNameNeedDistinctDomains()
    {
        var same = Valid with { Tables = [Valid.Tables[0], Valid.Tables[0]] };
        var e = Assert.Throws<ArgumentException>(() => same.Validate());
        Assert.Contains("flickr8k, flickr8k", e.Message);
    }

    [Fact]
    public void TheMixtureKeepsEveryRowWithAbsoluteImagesAndQuotesAwkwardCaptions()
    {
        using var dir = new TempDir();
        // A caption that starts with a quote and one with a tab must come back unchanged through the reader's quoting rule.
        File.WriteAllText(dir.File("a.tsv"), "image\tcaption\nx.png\t\"\"\"quoted\"\" start\"\ny.png\t\"tab\there\"\n");
        var cfg = Valid with { Tables = [new ModeTable { Path = dir.File("a.tsv"), Domain = "odd" }, Valid.Tables[1]], Out = dir.File("out") };
        var mixture = ModeMixture.Write(cfg);
        Assert.Equal(102, mixture.Rows);
        var back = new CsvImageTextSource(new CsvSourceOptions(mixture.Path));
        Assert.Equal(102, back.Count);
        Assert.Equal("\"quoted\" start", back[0].Caption);
        Assert.Equal("tab\there", back[1].Caption);
        Assert.Equal(Path.Combine(dir.Path, "x.png"), back[0].Image);
        Assert.Equal("fashion", back[101].Attributes["domain"]);
        Assert.True(Path.IsPathRooted(back[101].Image) && File.Exists(back[101].Image));
        var written = File.GetLastWriteTimeUtc(mixture.Path);
        Thread.Sleep(20);
        Assert.Equal(mixture.Sha256, ModeMixture.Write(cfg).Sha256);
        Assert.Equal(written, File.GetLastWriteTimeUtc(mixture.Path));      // unchanged bytes are not rewritten
    }

    [Fact]
    public void ThePrintedConfigAndTheKubernetesConfigReadBack()
    {
        var printed = ModeConfig.SharedMixture(TestData.SharedData);
        var back = JsonConfig.Parse<ModeConfig>(JsonConfig.Serialize(printed));
        Assert.Equal(JsonConfig.Serialize(printed), JsonConfig.Serialize(back));
        // The ConfigMap's mode.json block (indented under "mode.json: |") must be a valid config, so the manifest does not drift.
        var yaml = File.ReadAllLines(Path.Combine(TestData.RepoRoot, "deploy", "k8s", "mode-experts-job.yaml"));
        var start = Array.FindIndex(yaml, l => l.Trim() == "mode.json: |") + 1;
        var block = yaml.Skip(start).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal));
        var k8s = JsonConfig.Parse<ModeConfig>(string.Join('\n', block), "mode-experts-job.yaml");
        Assert.Equal(4, k8s.Clustering.Experts);
        Assert.Equal((16875, 3125), (k8s.SeedSteps, k8s.ExpertSteps));     // 27/32 and 5/32 of 20,000 steps
    }

    [Fact]
    public void PurityIsTheMajorityDomainShareOverAllRows()
    {
        // Cluster 0 holds domains [a, a, b] (majority 2), cluster 1 holds [b, b] (2): purity 4/5.
        Assert.Equal(0.8, ModeClusterReport.Purity([0, 0, 0, 1, 1], [0, 0, 1, 1, 1]), 12);
    }

    [Fact]
    public void ZeroShotCapsSpreadOverTheRowsAsEvaluationDoes()
    {
        Assert.Equal([0, 3, 6, 10, 13, 16], ModeEvalData.Spread(20, 6));    // ⌊i·20/6⌋
        Assert.Equal(Enumerable.Range(0, 5), ModeEvalData.Spread(5, 0));
    }
}
