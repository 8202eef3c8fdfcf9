using System.Text.Json.Nodes;
using ClipUp.Io;

namespace ClipUp.Tests.Io;

public class HfClipConfigTests
{
    [Fact]
    public void DenseAndMoeArchitecturesRoundTripThroughConfigJson()
    {
        var moe = TinyStateDicts.Moe with { Moe = new MoeLayout(4, 2, [1], [0, 1], """{"capacity_factor":1.25,"router":"top_k"}""") };

        foreach (var arch in new[] { TinyStateDicts.Dense, moe, TinyStateDicts.B16, TinyStateDicts.Dense with { Activation = ClipActivation.Gelu } })
            Assert.Equal(arch, HfClipConfig.Parse(HfClipConfig.ToJson(arch)));
    }

    [Fact]
    public void B16ConfigHasTheFieldsTransformersReads()
    {
        var json = JsonNode.Parse(HfClipConfig.ToJson(TinyStateDicts.B16))!.AsObject();

        Assert.Equal("clip", (string?)json["model_type"]);
        Assert.Equal("CLIPModel", (string?)json["architectures"]![0]);
        Assert.Equal(512, (int)json["projection_dim"]!);
        Assert.Equal(2.6592, (double)json["logit_scale_init_value"]!);
        var v = json["vision_config"]!;
        Assert.Equal((768, 3072, 12, 12, 224, 16, 3, "quick_gelu"),
            ((int)v["hidden_size"]!, (int)v["intermediate_size"]!, (int)v["num_attention_heads"]!, (int)v["num_hidden_layers"]!,
             (int)v["image_size"]!, (int)v["patch_size"]!, (int)v["num_channels"]!, (string?)v["hidden_act"]));
        var t = json["text_config"]!;
        Assert.Equal((512, 2048, 8, 12, 77, 49408, 49406, 49407, 1),
            ((int)t["hidden_size"]!, (int)t["intermediate_size"]!, (int)t["num_attention_heads"]!, (int)t["num_hidden_layers"]!,
             (int)t["max_position_embeddings"]!, (int)t["vocab_size"]!, (int)t["bos_token_id"]!, (int)t["eos_token_id"]!, (int)t["pad_token_id"]!));
        Assert.Equal(1e-5, (double)t["layer_norm_eps"]!);
        Assert.Null(json[HfClipConfig.MoeKey]);
    }

    [Fact]
    public void TransformersFloatFieldsAreWrittenAsFloatsNeverAsIntegers()
    {
        // transformers 5 validates config types strictly: "initializer_factor": 1 failed CLIPModel.from_pretrained
        // (5.17), "initializer_factor": 1.0 loads.
        using var doc = System.Text.Json.JsonDocument.Parse(HfClipConfig.ToJson(TinyStateDicts.B16));
        string[] floats = ["logit_scale_init_value", "initializer_factor", "layer_norm_eps", "attention_dropout", "initializer_range"];
        var root = doc.RootElement;

        foreach (var obj in new[] { root, root.GetProperty("text_config"), root.GetProperty("vision_config") })
            foreach (var field in obj.EnumerateObject().Where(f => floats.Contains(f.Name)))
                Assert.True(field.Value.GetRawText().IndexOfAny(['.', 'e', 'E']) >= 0, $"{field.Name} is written as {field.Value.GetRawText()}");
        Assert.Equal("1.0", root.GetProperty("initializer_factor").GetRawText());
        Assert.Equal("0.0", root.GetProperty("vision_config").GetProperty("attention_dropout").GetRawText());
    }

    [Fact]
    public void MoeSettingsTravelUnderClipupMoe()
    {
        var json = JsonNode.Parse(HfClipConfig.ToJson(TinyStateDicts.Moe))!.AsObject();

        Assert.Equal("""{"num_experts":4,"top_k":2,"vision_layers":[1],"text_layers":[1]}""", json[HfClipConfig.MoeKey]!.ToJsonString());
    }

    [Fact]
    public void ATransformersStyleConfigWithLegacyDictsAndDefaultsParses()
    {
        // Shaped like the config.json files on the Hub for OpenAI's checkpoints: generic PretrainedConfig fields, a
        // sparse text_config, and a legacy vision_config_dict that overrides vision_config. Missing fields take
        // CLIPTextConfig/CLIPVisionConfig defaults (vocab 49408, context 77, intermediate 2048; vision image 224).
        const string json = """
        {
          "_name_or_path": "openai/clip-vit-base-patch16",
          "architectures": ["CLIPModel"], "initializer_factor": 1.0, "logit_scale_init_value": 2.6592,
          "model_type": "clip", "projection_dim": 512, "torch_dtype": "float32", "transformers_version": null,
          "text_config": { "hidden_size": 512, "num_attention_heads": 8, "num_hidden_layers": 12, "bos_token_id": 0, "eos_token_id": 2,
                           "layer_norm_eps": 1e-05, "tie_word_embeddings": true, "output_attentions": false },
          "text_config_dict": null,
          "vision_config": { "hidden_size": 768, "patch_size": 32, "num_attention_heads": 12, "num_hidden_layers": 12, "intermediate_size": 3072 },
          "vision_config_dict": { "patch_size": 16 }
        }
        """;

        var arch = HfClipConfig.Parse(json);

        Assert.Equal(TinyStateDicts.B16, arch);
    }

    [Theory]
    [InlineData("""{"model_type":"siglip"}""", "config.json has model_type 'siglip'; ClipUp reads CLIPModel configs")]
    [InlineData("""{"text_config":{"hidden_act":"relu"},"vision_config":{"hidden_act":"relu"}}""", "config.json text_config has hidden_act 'relu'; ClipUp supports 'gelu' and 'quick_gelu'")]
    [InlineData("""{"text_config":{"hidden_act":"gelu"}}""", "config.json uses hidden_act gelu for text but quick_gelu for vision")]
    [InlineData("""{"vision_config":{"layer_norm_eps":1e-6}}""", "config.json vision_config has layer_norm_eps 1E-06; ClipUp's LayerNorms use 1E-05")]
    [InlineData("""{"vision_config":{"hidden_size":100}}""", "config.json describes an impossible model: vision Width 100 is not divisible by Heads 12")]
    [InlineData("""{"clipup_moe":{"num_experts":4,"top_k":2,"experts":8}}""", "config.json clipup_moe has unknown key 'experts'")]
    [InlineData("""{"clipup_moe":{"num_experts":2,"top_k":3}}""", "moe TopK 3 exceeds NumExperts 2")]
    [InlineData("""{"projection_dim":"512"}""", "config.json projection_dim is \"512\", not an integer")]
    [InlineData("""{"projection_dim": """, "config.json is not valid JSON")]
    public void BadConfigsAreRejectedWithTheReason(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => HfClipConfig.Parse(json));

        Assert.Contains(expected, e.Message);
    }
}
