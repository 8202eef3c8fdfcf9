using ClipUp.Experiments;
using ClipUp.Io;
using ClipUp.Training;

namespace ClipUp.Tests.Experiments;

public class RunConfigTests
{
    private static string Train => Path.Combine(TestData.RepoRoot, "data-samples", "synthetic", "train.tsv");

    [Fact]
    public void AConfigReadsWithSnakeCaseKeysAndStringEnums()
    {
        var cfg = JsonConfig.Parse<RunConfig>($$"""
            { "model": "tiny", "train": { "steps": 7, "learning_rate": 0.002, "precision": "bf16" },
              "data": { "train": "{{Train}}" } }
            """);
        Assert.Equal(7, cfg.Train.Steps);
        Assert.Equal(0.002, cfg.Train.LearningRate);
        Assert.Equal(Precision.Bf16, cfg.Train.Precision);
        cfg.Validate();
    }

    [Fact]
    public void AnEmptyEvalSectionIsWarnedAboutUnlessTheCallerEvaluatesTheModel()
    {
        var cfg = new RunConfig { Data = new() { Train = Train } };

        Assert.Contains(cfg.Warnings(), w => w.StartsWith("neither eval.retrieval nor eval.zero_shot is set", StringComparison.Ordinal));
        Assert.Empty(cfg.Warnings(evaluatedByCaller: true));
    }

    [Fact]
    public void AnUnknownKeyIsRejectedWithItsPath()
    {
        var e = Assert.Throws<InvalidDataException>(() => JsonConfig.Parse<RunConfig>("""{ "train": { "lerning_rate": 0.1 } }""", "run.json"));
        Assert.Contains("run.json", e.Message);
        Assert.Contains("unknown key", e.Message);
        Assert.Contains("lerning_rate", e.Message);
    }

    [Theory]
    [InlineData("""{ "train": { "learning_rate": -0.001 } }""", "train.learning_rate -0.001")]
    [InlineData("""{ "train": { "batch_size": 1 } }""", "train.batch_size 1 must be >= 2")]
    [InlineData("""{ "model": "huge" }""", "unknown model preset 'huge'")]
    [InlineData("""{ "data": { "train": "/nope/train.tsv" } }""", "/nope/train.tsv")]
    public void BadValuesAreRejectedWithTheValueAndTheFix(string json, string expected)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node["data"] ??= new System.Text.Json.Nodes.JsonObject { ["train"] = Train };
        var withData = node.ToJsonString();
        var e = Assert.ThrowsAny<Exception>(() => JsonConfig.Parse<RunConfig>(withData).Validate());
        Assert.Contains(expected, e.Message);
    }
}
