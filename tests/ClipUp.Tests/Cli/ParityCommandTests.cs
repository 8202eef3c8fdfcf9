using ClipUp.Cli.Commands;
using ClipUp.Io;
using ClipUp.Model;
using ClipUp.Tests.Io;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Cli;

/// <summary>ClipUp's side of hf_parity.py, on a small HF-layout folder written here (transformers does not run on this machine).</summary>
public class ParityCommandTests
{
    [Fact]
    public void EmbedWritesTheFourOutputsOfTheModelUnderHfParitysNames()
    {
        using var dir = new TempDir();
        var state = CliTestFiles.WriteReference(dir.File("small"), seed: 20);
        var inputs = SafeTensors.Load(dir.File("small/inputs.safetensors"));

        ParityCommand.RunEmbed(dir.File("small"), dir.File("small/inputs.safetensors"), dir.File("clipup_outputs.safetensors"), "cpu");
        var outputs = SafeTensors.Load(dir.File("clipup_outputs.safetensors"));

        // The expectation skips the HF mapping: the OpenAI-keyed weights go straight into a model.
        using var direct = new ClipModel(ArchitectureMapping.ToConfig(CliTestFiles.Small));
        ModelImport.LoadWeights(direct, state, "state");
        using var _ = torch.no_grad();
        var image = direct.EncodeImage(inputs["pixel_values"]);
        var text = direct.EncodeText(inputs["input_ids"]);
        Assert.Equal(["image_embeds", "image_features", "text_embeds", "text_features"], outputs.Keys.Order(StringComparer.Ordinal));
        Assert.True(Bitwise.Same(image, outputs["image_features"]));
        Assert.True(Bitwise.Same(text, outputs["text_features"]));
        Assert.Equal([4L, 32L], outputs["text_embeds"].shape);
        Assert.True((image / image.norm(1, keepdim: true)).allclose(outputs["image_embeds"], rtol: 1e-6, atol: 1e-7));
        Assert.True(outputs["text_embeds"].norm(1).allclose(torch.ones(4), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void EmbedReportsFailureWhenADifferenceExceedsTheTolerance()
    {
        var outputs = new Dictionary<string, Tensor> { ["image_embeds"] = torch.zeros(2, 3), ["text_embeds"] = torch.ones(2, 3) };
        var close = outputs.ToDictionary(p => p.Key, p => p.Value + 5e-5);
        var far = outputs.ToDictionary(p => p.Key, p => p.Value + 2e-4);

        Assert.Equal(0, ParityCommand.Report(close, outputs, atol: 1e-4));
        Assert.Equal(1, ParityCommand.Report(far, outputs, atol: 1e-4));
    }

    [Fact]
    public void ExportRewritesTheReferenceFolderBitExactlyAndAddsWhatCompareEmbeddingsReads()
    {
        using var dir = new TempDir();
        CliTestFiles.WriteReference(dir.File("small"), seed: 21);
        ParityCommand.RunEmbed(dir.File("small"), dir.File("small/inputs.safetensors"), dir.File("ref_outputs.safetensors"), "cpu");

        ParityCommand.RunExport(dir.File("small"), dir.File("export"), dir.File("small/inputs.safetensors"));

        Assert.Equal(["clipup_outputs.safetensors", "config.json", "inputs.safetensors", "model.safetensors"],
            Directory.GetFiles(dir.File("export")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        AssertSameFile(dir.File("small/model.safetensors"), dir.File("export/model.safetensors"));
        AssertSameFile(dir.File("ref_outputs.safetensors"), dir.File("export/clipup_outputs.safetensors"));
        Assert.Equal(File.ReadAllText(dir.File("small/config.json")), File.ReadAllText(dir.File("export/config.json")));
    }

    [Fact]
    public void TokensWritesOneUnpaddedLinePerCaptionInTsvOrder()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("train.tsv"), "image\tcaption\n1.jpg\ta photo of a cat\n\n2.jpg\ta cat\n");
        File.WriteAllText(dir.File("val.tsv"), "image\tcaption\n3.jpg\tA CAT\n");

        int n = ParityCommand.RunTokens([dir.File("train.tsv"), dir.File("val.tsv")], dir.File("ids.txt"));

        // SOT 49406, "a</w>" 320, "photo</w>" 1125, "of</w>" 539, "cat</w>" 2368, EOT 49407 (OpenAI's vocabulary).
        Assert.Equal(3, n);
        Assert.Equal(["49406 320 1125 539 320 2368 49407", "49406 320 2368 49407", "49406 320 2368 49407"], File.ReadAllLines(dir.File("ids.txt")));
    }

    [Fact]
    public void TheParityCommandsParseTheirOptionsAndReportUserErrors()
    {
        using var dir = new TempDir();
        CliTestFiles.WriteReference(dir.File("small"), seed: 22);
        string inputs = dir.File("small/inputs.safetensors");

        Assert.Equal(0, CliTestFiles.Invoke("parity", "embed", "--model", dir.File("small"), "--inputs", inputs, "--out", dir.File("o.safetensors")));
        Assert.Equal(0, CliTestFiles.Invoke("parity", "embed", "--model", dir.File("small"), "--inputs", inputs, "--out", dir.File("p.safetensors"),
            "--reference", dir.File("o.safetensors"), "--atol", "0"));
        Assert.Equal(2, CliTestFiles.Invoke("parity", "embed", "--model", dir.File("small"), "--inputs", dir.File("small/model.safetensors")));
        Assert.NotEqual(0, CliTestFiles.Invoke("parity", "embed", "--model", dir.File("small")));   // --inputs is required
    }

    [Fact]
    public void InputsWithoutPixelValuesAreRefusedByName()
    {
        using var model = new ClipModel(ArchitectureMapping.ToConfig(CliTestFiles.Small));
        var inputs = new Dictionary<string, Tensor> { ["input_ids"] = torch.zeros(1, 77, ScalarType.Int64) };

        var e = Assert.Throws<InvalidDataException>(() => ParityOutputs.Compute(model, inputs, torch.CPU));

        Assert.StartsWith("parity inputs lack 'pixel_values' (has 1 tensors, first input_ids)", e.Message);
    }

    private static void AssertSameFile(string expected, string actual)
    {
        var (a, b) = (SafeTensors.Load(expected), SafeTensors.Load(actual));
        Assert.Equal(a.Keys.Order(StringComparer.Ordinal), b.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, t) in a) Assert.True(Bitwise.Same(t, b[k]), $"'{k}' differs between {expected} and {actual}");
    }
}
