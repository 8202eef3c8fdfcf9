using System.Text.Json.Nodes;

namespace ClipUp.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void TrainstepTimesTheBenchmarkMoeAndWritesOneJsonLine()
    {
        using var dir = new TempDir();

        Assert.Equal(0, CliTestFiles.Invoke("bench", "trainstep", "--preset", "tiny", "--moe", "--batch", "8", "--steps", "2", "--warmup", "1",
            "--dispatch", "sorted", "--json", dir.File("step.json")));

        var result = JsonNode.Parse(File.ReadAllText(dir.File("step.json")))!.AsObject();
        Assert.Equal(("clipup", "tiny", 1, 8, 2, "Sorted"),
            ((string)result["impl"]!, (string)result["preset"]!, (int)result["moe"]!, (int)result["batch"]!, (int)result["steps"]!, (string)result["dispatch"]!));
        Assert.True((double)result["samples_per_s"]! > 0);
    }

    [Fact]
    public void MoelayerReportsTheMoeOverDenseRatioOfItsOwnTwoTimes()
    {
        using var dir = new TempDir();

        Assert.Equal(0, CliTestFiles.Invoke("bench", "moelayer", "--width", "32", "--tokens", "64", "--steps", "1", "--json", dir.File("layer.json")));

        var result = JsonNode.Parse(File.ReadAllText(dir.File("layer.json")))!.AsObject();
        Assert.Equal((double)result["moe_ms"]! / (double)result["dense_ms"]!, (double)result["ratio"]!, 9);
    }

    [Theory]
    [InlineData("trainstep", "--dispatch", "fastest")]
    [InlineData("trainstep", "--batch", "0")]
    [InlineData("trainstep", "--preset", "huge")]
    [InlineData("moelayer", "--capacity-factor", "lots")]
    public void ABadOptionIsAUserErrorWithExitCode2(string command, string option, string value) =>
        Assert.Equal(2, CliTestFiles.Invoke("bench", command, option, value, "--steps", "1"));
}
