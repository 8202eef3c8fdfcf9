using ClipUp.Io;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Io;

public class CheckpointFormatTests
{
    [Fact]
    public void AnHfFolderIsDetectedFromTheFolderOrItsWeightsFile()
    {
        using var dir = new TempDir();
        ModelFiles.SaveHuggingFace(dir.Path, TinyStateDicts.Random(TinyStateDicts.Dense, 1), TinyStateDicts.Dense);

        var fromFolder = CheckpointFormat.Detect(dir.Path);
        var fromFile = CheckpointFormat.Detect(dir.File("model.safetensors"));

        Assert.Equal(new CheckpointLocation(CheckpointScheme.HuggingFaceFolder, dir.File("model.safetensors"), dir.File("config.json")), fromFolder);
        Assert.Equal(CheckpointScheme.HuggingFaceFolder, fromFile.Scheme);
        Assert.Equal(dir.File("config.json"), fromFile.ConfigPath);
    }

    [Fact]
    public void AClipUpFileIsDetectedByItsMetadata()
    {
        using var dir = new TempDir();
        ModelFiles.SaveClipUp(dir.File("run.safetensors"), TinyStateDicts.Random(TinyStateDicts.Dense, 1), TinyStateDicts.Dense);

        Assert.Equal(CheckpointScheme.ClipUpSafetensors, CheckpointFormat.Detect(dir.File("run.safetensors")).Scheme);
        Assert.Equal(CheckpointScheme.ClipUpSafetensors, CheckpointFormat.Detect(dir.Path).Scheme);   // the folder's only .safetensors
    }

    [Fact]
    public void AnOpenClipFileIsDetectedByItsKeysWithOrWithoutModulePrefix()
    {
        using var dir = new TempDir();
        var state = TinyStateDicts.Random(TinyStateDicts.Dense, 1);
        SafeTensors.Save(dir.File("open_clip_model.safetensors"), state);
        SafeTensors.Save(dir.File("ddp.safetensors"), state.ToDictionary(p => "module." + p.Key, p => p.Value));

        Assert.Equal(new CheckpointLocation(CheckpointScheme.OpenClipSafetensors, dir.File("open_clip_model.safetensors"), null), CheckpointFormat.Detect(dir.Path));
        Assert.Equal(CheckpointScheme.OpenClipSafetensors, CheckpointFormat.Detect(dir.File("ddp.safetensors")).Scheme);
    }

    [Fact]
    public void PickleShardedAndForeignCheckpointsAreRefusedWithTheReason()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("pickle"));
        File.WriteAllText(dir.File("pickle/open_clip_pytorch_model.bin"), "not read");
        Directory.CreateDirectory(dir.File("sharded"));
        File.WriteAllText(dir.File("sharded/model.safetensors.index.json"), "{}");
        Directory.CreateDirectory(dir.File("hf-no-config"));
        SafeTensors.Save(dir.File("hf-no-config/model.safetensors"), new Dictionary<string, Tensor> { ["vision_model.post_layernorm.bias"] = torch.zeros(2) });
        SafeTensors.Save(dir.File("bert.safetensors"), new Dictionary<string, Tensor> { ["bert.embeddings.word_embeddings.weight"] = torch.zeros(2) });

        Assert.Contains("holds only pickle checkpoints (.bin/.pt); ClipUp reads safetensors",
            Assert.Throws<NotSupportedException>(() => CheckpointFormat.Detect(dir.File("pickle"))).Message);
        Assert.Contains("open_clip_pytorch_model.bin is a pickle checkpoint; ClipUp reads safetensors only",
            Assert.Throws<NotSupportedException>(() => CheckpointFormat.Detect(dir.File("pickle/open_clip_pytorch_model.bin"))).Message);
        Assert.Contains("holds a sharded HF checkpoint",
            Assert.Throws<NotSupportedException>(() => CheckpointFormat.Detect(dir.File("sharded"))).Message);
        Assert.Contains("has Hugging Face CLIPModel keys but no config.json beside it",
            Assert.Throws<NotSupportedException>(() => CheckpointFormat.Detect(dir.File("hf-no-config"))).Message);
        Assert.Contains("bert.safetensors has neither CLIP keys",
            Assert.Throws<NotSupportedException>(() => CheckpointFormat.Detect(dir.File("bert.safetensors"))).Message);
    }
}

public class ModelFilesTests
{
    private static void AssertSame(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (k, t) in expected) Assert.True(Bitwise.Same(t, actual[k]), $"'{k}' changed");
    }

    [Fact]
    public void AnHfExportLoadsBackBitExactlyWithItsArchitecture()
    {
        using var dir = new TempDir();
        var state = TinyStateDicts.Random(TinyStateDicts.Dense, 2);
        ModelFiles.SaveHuggingFace(dir.Path, state, TinyStateDicts.Dense);

        var loaded = ModelFiles.Load(dir.Path);

        Assert.Equal(TinyStateDicts.Dense, loaded.Architecture);
        AssertSame(state, loaded.Tensors);
        Assert.Equal("pt", loaded.Metadata["format"]);   // transformers refuses safetensors without it
        Assert.Equal(["config.json", "model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void AnMoeModelRoundTripsThroughBothFormats()
    {
        using var dir = new TempDir();
        var arch = TinyStateDicts.Moe with { Moe = TinyStateDicts.Moe.Moe! with { SettingsJson = """{"capacity_factor":2}""" } };
        var state = TinyStateDicts.Random(arch, 3);
        ModelFiles.SaveHuggingFace(dir.File("hf"), state, arch);
        ModelFiles.SaveClipUp(dir.File("own.safetensors"), state, arch, new Dictionary<string, string> { ["step"] = "20" });

        var hf = ModelFiles.Load(dir.File("hf"));
        var own = ModelFiles.Load(dir.File("own.safetensors"));

        Assert.Equal(arch, hf.Architecture);
        Assert.Equal(arch, own.Architecture);
        Assert.Equal("20", own.Metadata["step"]);
        AssertSame(state, hf.Tensors);
        AssertSame(state, own.Tensors);
    }

    [Fact]
    public void OpenClipFilesTakeTheActivationFromOpenClipConfigOrTheCaller()
    {
        using var dir = new TempDir();
        var arch = TinyStateDicts.Dense with { Vision = TinyStateDicts.Dense.Vision with { Heads = 1 }, Text = TinyStateDicts.Dense.Text with { Heads = 1 } };
        SafeTensors.Save(dir.File("open_clip_model.safetensors"), TinyStateDicts.Random(arch, 4));

        var e = Assert.Throws<ArgumentException>(() => ModelFiles.Load(dir.Path, headDim: 32));
        var withHint = ModelFiles.Load(dir.Path, ClipActivation.Gelu, headDim: 32);
        File.WriteAllText(dir.File("open_clip_config.json"), """{"model_cfg": {"embed_dim": 16, "quick_gelu": true}}""");
        var withConfig = ModelFiles.Load(dir.Path, headDim: 32);

        Assert.Contains("does not say which activation its MLPs use: pass activation", e.Message);
        Assert.Equal(arch with { Activation = ClipActivation.Gelu }, withHint.Architecture);
        Assert.Equal(arch with { Activation = ClipActivation.QuickGelu }, withConfig.Architecture);
    }

    [Fact]
    public void SavingRefusesWeightsThatDoNotFitTheArchitecture()
    {
        using var dir = new TempDir();
        var state = TinyStateDicts.Random(TinyStateDicts.Dense, 5);
        state["visual.proj"] = torch.zeros(32, 8);

        var e = Assert.Throws<InvalidDataException>(() => ModelFiles.SaveHuggingFace(dir.Path, state, TinyStateDicts.Dense));

        Assert.Contains("'visual.proj' is [32, 8], expected [32, 16]", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
