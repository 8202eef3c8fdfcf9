using ClipUp.Cli.Commands;
using ClipUp.Io;
using ClipUp.Model;
using ClipUp.Tests.Io;

namespace ClipUp.Tests.Cli;

public class InspectCommandTests
{
    [Fact]
    public void InspectReportsFormatArchitectureParameterCountAndKeyGroups()
    {
        using var dir = new TempDir();
        using (var model = new ClipModel(ClipConfig.Tiny)) ModelImport.SaveHuggingFace(model, dir.Path);

        var lines = InspectCommand.Render(dir.Path, null).Split('\n');

        Assert.Equal("format        HuggingFaceFolder", lines[0]);
        Assert.Equal($"config        {dir.File("config.json")}", lines[2]);
        Assert.StartsWith("architecture  embed 64; vision 32px/8 width 64 × 2 layers, 4 heads, MLP 256; text context 32 vocab 49408", lines[3]);
        // Tiny: one block = LN 128 + in_proj 3·64·64+192 + out_proj 64·64+64 + LN 128 + c_fc 64·256+256 + c_proj 256·64+64 = 49,984.
        // vision = conv 12,288 + class 64 + positions 17·64 + ln_pre/ln_post 256 + 2 blocks + proj 4,096 = 117,760;
        // text = tokens 49,408·64 + positions 32·64 + 2 blocks + ln_final 128 + projection 4,096 + logit_scale 1 = 3,268,353.
        Assert.Equal("parameters    3,386,113", lines[4]);
        // 8 vision tensors outside the blocks + 6 text ones + 2 towers × 2 blocks × 12 = 62.
        Assert.Equal("tensors       62 in ClipUp keys, Float32", lines[5]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["visual.transformer", "24", "tensors", "99,968", "parameters"]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["token_embedding", "1", "tensors", "3,162,112", "parameters"]);
    }

    [Fact]
    public void TheHfParitySmallConfigHasTheParameterCountItsReadmeDerives()
    {
        using var dir = new TempDir();
        CliTestFiles.WriteReference(dir.Path, seed: 1);

        // bench/reference/README.md: "small" has 3,384,897 parameters (tiny's text context is 32; small's is 77 with a
        // 32-wide projection: 3,386,113 - 2 * 64 * 32 + 45 * 64 = 3,384,897).
        Assert.Contains("\nparameters    3,384,897\n", InspectCommand.Render(dir.Path, null));
    }

    [Fact]
    public void InspectCountsTheActiveParametersOfAnMoeCheckpoint()
    {
        using var dir = new TempDir();
        ModelFiles.SaveClipUp(dir.File("moe.safetensors"), TinyStateDicts.Random(TinyStateDicts.Moe, 1), TinyStateDicts.Moe);
        long total = ClipShapes.OpenAi(TinyStateDicts.Moe).Sum(e => e.Shape.Aggregate(1L, (a, b) => a * b));

        var report = InspectCommand.Render(dir.File("moe.safetensors"), null);

        // Per MoE block: c_fc 4·32·128 + 4·128 + c_proj 4·128·32 + 4·32 = 33,408 expert parameters; two MoE blocks give
        // 66,816, of which top-2 of 4 leaves half, 33,408, unused by each token.
        Assert.Contains(FormattableString.Invariant($"parameters    {total:N0} ({total - 33_408:N0} active per token)"), report);
        Assert.Contains("; MoE 4 experts top-2 in vision [1] text [1]", report);
    }
}
