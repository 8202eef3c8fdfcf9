using ClipUp.Io;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Io;

public class ArchitectureInferenceTests
{
    [Fact]
    public void TheTinyArchitectureIsReadOffItsShapes()
    {
        // conv1 [32, 3, 8, 8] -> width 32, patch 8; visual positions 5 = 2² + 1 -> grid 2, image 16; token_embedding
        // [100, 32]; positional_embedding [8, 32]; text_projection [32, 16]; c_fc [128, 32]; heads 32 / 16 = 2.
        var state = TinyStateDicts.Random(TinyStateDicts.Dense, seed: 1, meta: true);

        var arch = ArchitectureInference.FromOpenAi(state, ClipActivation.QuickGelu, headDim: 16);

        Assert.Equal(TinyStateDicts.Dense, arch);
    }

    [Fact]
    public void B16IsReadOffItsShapesWithOpenAisSixtyFourWideHeads()
    {
        // Meta tensors: shapes only, no memory. Heads = 768 / 64 = 12 and 512 / 64 = 8; 197 positions = 14² + 1, 14 · 16 = 224.
        var state = TinyStateDicts.Random(TinyStateDicts.B16, seed: 1, meta: true);
        Assert.Equal([197L, 768L], state["visual.positional_embedding"].shape);

        var arch = ArchitectureInference.FromOpenAi(state, ClipActivation.QuickGelu);

        Assert.Equal(TinyStateDicts.B16, arch);
    }

    [Fact]
    public void MoeBlocksAreFoundAndNeedTopK()
    {
        var state = TinyStateDicts.Random(TinyStateDicts.Moe, seed: 1, meta: true);
        Assert.Equal([4L, 32L, 128L], state["visual.transformer.resblocks.1.mlp.experts.c_fc_weight"].shape);   // [E, in, out]

        var e = Assert.Throws<ArgumentException>(() => ArchitectureInference.FromOpenAi(state, ClipActivation.QuickGelu, headDim: 16));
        var arch = ArchitectureInference.FromOpenAi(state, ClipActivation.QuickGelu, headDim: 16, moeTopK: 2);

        Assert.Contains("has MoE blocks (4 experts) but top-k is not stored in weights: pass moeTopK", e.Message);
        Assert.Equal(TinyStateDicts.Moe, arch);
    }

    [Fact]
    public void AWidthThatIsNotAMultipleOfTheHeadWidthAsksForIt()
    {
        var state = TinyStateDicts.Random(TinyStateDicts.Dense, seed: 1, meta: true);

        var e = Assert.Throws<ArgumentException>(() => ArchitectureInference.FromOpenAi(state, ClipActivation.Gelu, what: "tiny.safetensors"));

        Assert.Contains("tiny.safetensors: vision width 32 is not a multiple of the head width 64; pass the model's head width (headDim)", e.Message);
    }

    [Fact]
    public void AShapeThatContradictsTheOthersIsReported()
    {
        var state = TinyStateDicts.Random(TinyStateDicts.Dense, seed: 1, meta: true);
        state["transformer.resblocks.1.mlp.c_proj.weight"] = torch.empty([32L, 64L], device: torch.META);

        var e = Assert.Throws<InvalidDataException>(() => ArchitectureInference.FromOpenAi(state, ClipActivation.Gelu, headDim: 16, what: "x"));

        Assert.Contains("x has 1 tensors whose shape does not fit the architecture: 'transformer.resblocks.1.mlp.c_proj.weight' is [32, 64], expected [32, 128]", e.Message);
    }

    [Fact]
    public void ANonSquarePositionGridIsRejected()
    {
        var state = TinyStateDicts.Random(TinyStateDicts.Dense, seed: 1, meta: true);
        state["visual.positional_embedding"] = torch.empty([7L, 32L], device: torch.META);

        var e = Assert.Throws<InvalidDataException>(() => ArchitectureInference.FromOpenAi(state, ClipActivation.Gelu, headDim: 16));

        Assert.Contains("'visual.positional_embedding' has 7 rows; expected grid² + 1 for a square grid", e.Message);
    }

    [Fact]
    public void TheShapeInventoryStartsWithTheImageTowerAndEndsWithTheLastTextBlock()
    {
        var shapes = ClipShapes.OpenAi(TinyStateDicts.Dense).Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}]").ToList();

        // Vision: 8 tower keys + 2 blocks × 12 = 32 entries, then the text tower; logit_scale is the third text key.
        Assert.Equal("visual.class_embedding [32]", shapes[0]);
        Assert.Equal("visual.conv1.weight [32, 3, 8, 8]", shapes[3]);
        Assert.Equal("visual.transformer.resblocks.0.attn.in_proj_weight [96, 32]", shapes[10]);
        Assert.Equal("logit_scale []", shapes[34]);
        Assert.Equal("transformer.resblocks.1.mlp.c_proj.bias [32]", shapes[^1]);
    }
}
