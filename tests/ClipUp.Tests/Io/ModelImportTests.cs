using ClipUp.Io;
using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Io;

/// <summary>Checkpoints in every scheme load into a ClipModel that computes exactly what the saved model computed.</summary>
public class ModelImportTests
{
    /// <summary>Three images [3, 3, S, S] ~ N(0, 1) and three captions [3, C]: SOT, 2/4/6 ids, EOT 49407, zeros.</summary>
    internal static (Tensor Images, Tensor Tokens) Inputs(ClipConfig config, ulong seed = 7)
    {
        var g = new Generator(seed);
        int s = config.Vision.ImageSize, c = config.Text.ContextLength;
        var tokens = torch.zeros(3, c, ScalarType.Int64);
        for (int b = 0; b < 3; b++)
        {
            int n = 2 + 2 * b;
            tokens[b, 0] = torch.tensor(49406L);
            tokens[b, TensorIndex.Slice(1, 1 + n)] = torch.randint(1, 49406, [n], generator: g);
            tokens[b, 1 + n] = torch.tensor(49407L);
        }
        return (torch.randn(3, 3, s, s, generator: g), tokens);
    }

    internal static void AssertSameEmbeddings(ClipModelBase expected, ClipModelBase actual, ClipConfig config)
    {
        var (images, tokens) = Inputs(config);
        using var _ = torch.no_grad();
        Assert.True(Bitwise.Same(expected.EncodeImage(images), actual.EncodeImage(images)), "image embeddings differ");
        Assert.True(Bitwise.Same(expected.EncodeText(tokens), actual.EncodeText(tokens)), "text embeddings differ");
        var want = expected.state_dict();
        foreach (var (k, t) in actual.state_dict()) Assert.True(Bitwise.Same(want[k], t), $"'{k}' differs");
    }

    [Fact]
    public void ATinyModelRoundTripsThroughAnHfFolderWithBitIdenticalEmbeddings()
    {
        using var dir = new TempDir();
        using var model = new ClipModel(ClipConfig.Tiny with { Activation = Activation.QuickGelu }, seed: 3);

        ModelImport.SaveHuggingFace(model, dir.File("hf"));
        var imported = ModelImport.Import(dir.File("hf"));
        using var loaded = imported.Model;

        Assert.Equal(CheckpointScheme.HuggingFaceFolder, imported.Location.Scheme);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Empty(imported.Notes);
        AssertSameEmbeddings(model, loaded, model.Config);
    }

    [Fact]
    public void ATinyModelRoundTripsThroughAClipUpFileWithBitIdenticalEmbeddings()
    {
        using var dir = new TempDir();
        using var model = new ClipModel(ClipConfig.Tiny, seed: 4);

        ModelImport.SaveClipUp(model, dir.File("tiny.safetensors"), new Dictionary<string, string> { ["note"] = "kept" });
        var imported = ModelImport.Import(dir.File("tiny.safetensors"));
        using var loaded = imported.Model;

        Assert.Equal(CheckpointScheme.ClipUpSafetensors, imported.Location.Scheme);
        Assert.Equal(Activation.Gelu, loaded.Config.Activation);
        AssertSameEmbeddings(model, loaded, model.Config);
    }

    [Fact]
    public void AnHfStateDictImportsThroughTheModelAndReexportsIdentically()
    {
        using var dir = new TempDir();
        var arch = TinyStateDicts.Dense;
        var hf = WeightMaps.ToHuggingFace(TinyStateDicts.Random(arch, 5));
        Directory.CreateDirectory(dir.File("in"));
        SafeTensors.Save(dir.File("in/model.safetensors"), hf, new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(dir.File("in/config.json"), HfClipConfig.ToJson(arch));

        using var model = ModelImport.LoadDense(dir.File("in"));
        ModelImport.SaveHuggingFace(model, dir.File("out"));
        var again = SafeTensors.Load(dir.File("out/model.safetensors"));

        // Through the model, by hand: q is the first W rows of in_proj, and the HF projection is OpenAI's proj transposed.
        var block = model.visual.transformer.resblocks[0];
        Assert.True(Bitwise.Same(hf["vision_model.encoder.layers.0.self_attn.q_proj.weight"], block.attn.in_proj_weight[..32]));
        Assert.True(Bitwise.Same(hf["vision_model.encoder.layers.0.self_attn.v_proj.bias"], block.attn.in_proj_bias[64..]));
        Assert.True(Bitwise.Same(hf["visual_projection.weight"], model.visual.proj.t().contiguous()));
        Assert.Equal(hf.Keys.Order(StringComparer.Ordinal), again.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, t) in hf) Assert.True(Bitwise.Same(t, again[k]), $"'{k}' changed on re-export");
        Assert.Equal(File.ReadAllText(dir.File("in/config.json")).Trim(), File.ReadAllText(dir.File("out/config.json")).Trim());
    }

    [Fact]
    public void WeightsOfAnotherArchitectureListTheMismatchedKeys()
    {
        var threeLayers = TinyStateDicts.Dense with { Text = TinyStateDicts.Dense.Text with { Layers = 3 } };
        using var model = new ClipModel(ArchitectureMapping.ToConfig(TinyStateDicts.Dense));

        var e = Assert.Throws<StateDictKeyException>(() => ModelImport.LoadWeights(model, TinyStateDicts.Random(threeLayers, 6), "other.safetensors"));

        Assert.Empty(e.Missing);
        Assert.Equal(12, e.Unexpected.Count);   // the 12 tensors of text block 2
        Assert.All(e.Unexpected, k => Assert.StartsWith("transformer.resblocks.2.", k));
        Assert.Contains("other.safetensors does not match the expected keys: 0 missing, 12 unexpected", e.Message);
    }

    [Fact]
    public void AnHfFolderWhoseConfigDisagreesWithItsWeightsListsTheKeysThroughLoadDense()
    {
        using var dir = new TempDir();
        var threeLayers = TinyStateDicts.Dense with { Text = TinyStateDicts.Dense.Text with { Layers = 3 } };
        ModelFiles.SaveHuggingFace(dir.Path, TinyStateDicts.Random(threeLayers, 6), threeLayers);
        File.WriteAllText(dir.File("config.json"), HfClipConfig.ToJson(TinyStateDicts.Dense));   // says 2 text layers

        var e = Assert.Throws<StateDictKeyException>(() => ModelImport.LoadDense(dir.Path));

        Assert.Contains("12 unexpected", e.Message);
        Assert.Contains("transformer.resblocks.2.attn.in_proj_weight", e.Message);
    }

    [Fact]
    public void ATruncatedFileGivesTheClearErrorThroughLoadDense()
    {
        using var dir = new TempDir();
        using (var model = new ClipModel(ClipConfig.Tiny)) ModelImport.SaveClipUp(model, dir.File("cut.safetensors"));
        using (var fs = new FileStream(dir.File("cut.safetensors"), FileMode.Open)) fs.SetLength(fs.Length - 100);

        var e = Assert.Throws<InvalidDataException>(() => ModelImport.LoadDense(dir.File("cut.safetensors")));

        Assert.Contains("cut.safetensors is truncated: tensor", e.Message);
        Assert.Contains("re-download or re-export the file", e.Message);
    }

    [Fact]
    public void AnOpenClipFileNeedsTheActivationAndTakesItFromTheCaller()
    {
        using var dir = new TempDir();
        using var model = new ClipModel(ClipConfig.Tiny, seed: 8);
        SafeTensors.Save(dir.File("open_clip_model.safetensors"), model.state_dict());

        var e = Assert.Throws<ArgumentException>(() => ModelImport.LoadDense(dir.Path, headDim: 16));
        var imported = ModelImport.Import(dir.Path, "gelu", headDim: 16);
        using var loaded = imported.Model;

        Assert.Contains("does not say which activation its MLPs use", e.Message);
        Assert.Equal(CheckpointScheme.OpenClipSafetensors, imported.Location.Scheme);
        AssertSameEmbeddings(model, loaded, model.Config);
    }

    [Fact]
    public void AnActivationOverrideReplacesTheFilesWithANote()
    {
        using var dir = new TempDir();
        using (var model = new ClipModel(ClipConfig.Tiny)) ModelImport.SaveHuggingFace(model, dir.Path);

        var imported = ModelImport.Import(dir.Path, "quick_gelu");
        using var loaded = imported.Model;

        Assert.Equal(Activation.QuickGelu, loaded.Config.Activation);
        Assert.Equal(["activation gelu from the file replaced by quick_gelu (override)"], imported.Notes);
    }

    [Fact]
    public void HalfPrecisionWeightsAreWidenedToFloat32WithANote()
    {
        using var dir = new TempDir();
        var arch = TinyStateDicts.Dense;
        var half = TinyStateDicts.Random(arch, 9).ToDictionary(p => p.Key, p => p.Value.to(ScalarType.BFloat16));
        ModelFiles.SaveClipUp(dir.File("bf16.safetensors"), half, arch);

        var imported = ModelImport.Import(dir.File("bf16.safetensors"));
        using var loaded = imported.Model;

        Assert.Contains("converted BFloat16 weights to Float32", imported.Notes);
        Assert.True(Bitwise.Same(half["visual.proj"].to(ScalarType.Float32), loaded.visual.proj));
    }
}
