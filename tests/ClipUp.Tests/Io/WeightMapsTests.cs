using ClipUp.Io;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Io;

public class WeightMapsTests
{
    private static void AssertBitwiseEqual(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (k, t) in expected)
            Assert.True(Bitwise.Same(t, actual[k]), $"'{k}' changed");
    }

    [Fact]
    public void OpenAiToHfAndBackIsBitwiseIdentity()
    {
        var openAi = TinyStateDicts.Random(TinyStateDicts.Dense, seed: 1);

        var back = WeightMaps.FromHuggingFace(WeightMaps.ToHuggingFace(openAi)).Tensors;

        AssertBitwiseEqual(openAi, back);
    }

    [Fact]
    public void HfToOpenAiAndBackIsBitwiseIdentity()
    {
        // An HF dict with values of its own (not derived from an OpenAI dict), shaped like the tiny model's HF keys.
        var g = new Generator(2);
        var hf = WeightMaps.ToHuggingFace(TinyStateDicts.Random(TinyStateDicts.Dense, seed: 3))
            .ToDictionary(p => p.Key, p => torch.randn(p.Value.shape, generator: g));

        var back = WeightMaps.ToHuggingFace(WeightMaps.FromHuggingFace(hf).Tensors);

        AssertBitwiseEqual(hf, back);
    }

    [Fact]
    public void MoeBlocksRoundTripBothWaysWithTheirOwnKeys()
    {
        var openAi = TinyStateDicts.Random(TinyStateDicts.Moe, seed: 4);

        var hf = WeightMaps.ToHuggingFace(openAi);
        var back = WeightMaps.FromHuggingFace(hf).Tensors;

        AssertBitwiseEqual(openAi, back);
        Assert.True(Bitwise.Same(openAi["visual.transformer.resblocks.1.mlp.experts.c_fc_weight"], hf["vision_model.encoder.layers.1.mlp.experts.fc1_weight"]));
        Assert.True(Bitwise.Same(openAi["transformer.resblocks.1.mlp.experts.c_proj_bias"], hf["text_model.encoder.layers.1.mlp.experts.fc2_bias"]));
        Assert.True(Bitwise.Same(openAi["transformer.resblocks.1.mlp.router.weight"], hf["text_model.encoder.layers.1.mlp.router.weight"]));
        Assert.Contains("vision_model.encoder.layers.0.mlp.fc1.weight", hf.Keys);          // block 0 stays dense
        Assert.DoesNotContain("vision_model.encoder.layers.1.mlp.fc1.weight", hf.Keys);
    }

    [Fact]
    public void HfNamesFollowTransformersCLIPModel()
    {
        var openAi = TinyStateDicts.Random(TinyStateDicts.Dense, seed: 5);

        var hf = WeightMaps.ToHuggingFace(openAi);

        // 62 OpenAI keys (vision 8 + 2 × 12 block keys, text 6 + 2 × 12); HF splits in_proj weight and bias into three
        // keys each, so every block gains 2 + 2 = 4 keys, and there are four blocks: 62 + 16 = 78.
        Assert.Equal(62, openAi.Count);
        Assert.Equal(78, hf.Count);
        var inProj = openAi["visual.transformer.resblocks.0.attn.in_proj_weight"];    // [96, 32] = q; k; v
        Assert.True(Bitwise.Same(inProj[..32], hf["vision_model.encoder.layers.0.self_attn.q_proj.weight"]));
        Assert.True(Bitwise.Same(inProj[32..64], hf["vision_model.encoder.layers.0.self_attn.k_proj.weight"]));
        Assert.True(Bitwise.Same(inProj[64..], hf["vision_model.encoder.layers.0.self_attn.v_proj.weight"]));
        Assert.True(Bitwise.Same(openAi["transformer.resblocks.1.attn.in_proj_bias"][32..64], hf["text_model.encoder.layers.1.self_attn.k_proj.bias"]));
        Assert.True(Bitwise.Same(openAi["visual.proj"].t().contiguous(), hf["visual_projection.weight"]));        // [16, 32]
        Assert.True(Bitwise.Same(openAi["text_projection"].t().contiguous(), hf["text_projection.weight"]));
        Assert.True(Bitwise.Same(openAi["visual.ln_pre.weight"], hf["vision_model.pre_layrnorm.weight"]));
        Assert.True(Bitwise.Same(openAi["visual.conv1.weight"], hf["vision_model.embeddings.patch_embedding.weight"]));
        Assert.True(Bitwise.Same(openAi["positional_embedding"], hf["text_model.embeddings.position_embedding.weight"]));
        Assert.True(Bitwise.Same(openAi["transformer.resblocks.0.mlp.c_proj.weight"], hf["text_model.encoder.layers.0.mlp.fc2.weight"]));
        Assert.True(Bitwise.Same(openAi["ln_final.bias"], hf["text_model.final_layer_norm.bias"]));
        Assert.True(Bitwise.Same(openAi["logit_scale"], hf["logit_scale"]));
        Assert.DoesNotContain(hf.Keys, k => k.EndsWith("position_ids"));
    }

    [Fact]
    public void HfPositionIdBuffersAreIgnoredWithANote()
    {
        var hf = WeightMaps.ToHuggingFace(TinyStateDicts.Random(TinyStateDicts.Dense, seed: 6));
        hf["text_model.embeddings.position_ids"] = torch.arange(8).unsqueeze(0);

        var imported = WeightMaps.FromHuggingFace(hf);

        Assert.Equal(62, imported.Tensors.Count);
        Assert.Contains(imported.Notes, n => n.Contains("'text_model.embeddings.position_ids'"));
    }

    [Fact]
    public void OpenClipImportStripsModulePrefixAndDropsJitEntries()
    {
        var openAi = TinyStateDicts.Random(TinyStateDicts.Dense, seed: 7);
        var wrapped = openAi.ToDictionary(p => "module." + p.Key, p => p.Value);
        wrapped["input_resolution"] = torch.tensor(16);
        wrapped["attn_mask"] = torch.zeros(8, 8);

        var imported = WeightMaps.FromOpenClip(wrapped);

        AssertBitwiseEqual(openAi, imported.Tensors);
        Assert.Contains(imported.Notes, n => n.Contains("stripped the 'module.' prefix") && n.Contains("from 62 keys"));
        Assert.Contains(imported.Notes, n => n.StartsWith("ignored 'input_resolution'"));
        Assert.Contains(imported.Notes, n => n.StartsWith("ignored 'attn_mask'"));
    }

    [Fact]
    public void MissingAndUnexpectedKeysAreListedWithCounts()
    {
        var openAi = TinyStateDicts.Random(TinyStateDicts.Dense, seed: 8);
        openAi.Remove("visual.ln_post.bias");
        openAi.Remove("transformer.resblocks.1.mlp.c_fc.weight");
        openAi["visual.logit_bias"] = torch.zeros(1);

        var e = Assert.Throws<StateDictKeyException>(() => WeightMaps.ToHuggingFace(openAi, "tiny.safetensors"));

        Assert.StartsWith("tiny.safetensors does not match the expected keys: 2 missing, 1 unexpected.", e.Message);
        Assert.Contains("missing (2): transformer.resblocks.1.mlp.c_fc.weight, visual.ln_post.bias", e.Message);
        Assert.Contains("unexpected (1): visual.logit_bias", e.Message);
        Assert.Equal(["transformer.resblocks.1.mlp.c_fc.weight", "visual.ln_post.bias"], e.Missing);
    }

    [Fact]
    public void LongKeyListsStopAfterTwentyAndCountTheRest()
    {
        var openAi = TinyStateDicts.Random(TinyStateDicts.Dense, seed: 9);
        for (int i = 0; i < 25; i++) openAi[$"extra.{i:D2}"] = torch.zeros(1);

        var e = Assert.Throws<StateDictKeyException>(() => WeightMaps.FromOpenClip(openAi));

        Assert.Contains("0 missing, 25 unexpected", e.Message);
        Assert.Contains("extra.19, ... and 5 more", e.Message);
        Assert.DoesNotContain("extra.20", e.Message);
    }

    [Fact]
    public void HfKeysWithMismatchedQkvShapesAreRejected()
    {
        var hf = WeightMaps.ToHuggingFace(TinyStateDicts.Random(TinyStateDicts.Dense, seed: 10));
        hf["vision_model.encoder.layers.0.self_attn.k_proj.bias"] = torch.zeros(31);

        var e = Assert.Throws<InvalidDataException>(() => WeightMaps.FromHuggingFace(hf));

        Assert.Contains("q/k/v of 'visual.transformer.resblocks.0.attn.in_proj_bias' differ", e.Message);
        Assert.Contains("'vision_model.encoder.layers.0.self_attn.k_proj.bias' Float32 [31]", e.Message);
    }

    [Fact]
    public void KeyListsOfBothSchemesHaveTheSameOrderAndLength()
    {
        var layout = BlockLayout.Of(TinyStateDicts.Moe);

        var openAi = WeightMaps.OpenAiKeys(layout);
        var hf = WeightMaps.HuggingFaceKeys(layout);

        // Dense blocks have 12 keys, MoE blocks 8 + 5 = 13: vision 8 + 12 + 13, text 6 + 12 + 13.
        Assert.Equal(8 + 12 + 13 + 6 + 12 + 13, openAi.Count);
        Assert.Equal(openAi.Count + 4 * 4, hf.Count);     // 4 more keys per block (q, k, v for weight and bias)
        Assert.Equal("visual.class_embedding", openAi[0]);
        Assert.Equal("vision_model.embeddings.class_embedding", hf[0]);
    }
}
