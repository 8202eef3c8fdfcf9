using ClipUp.Model;

namespace ClipUp.Tests.Model;

/// <summary>
/// Every state-dict key and shape of a preset is pinned in an approved text file (STYLE R4), so a rename shows up in
/// review and checkpoint compatibility with OpenAI/open_clip never changes silently. To approve a deliberate change,
/// delete the file and run the test once: it writes the file and fails, asking for review.
/// </summary>
public class KeyInventoryTests
{
    [Theory]
    [InlineData("tiny")]
    [InlineData("B16")]
    public void StateDictKeysAndShapesMatchTheApprovedInventory(string preset)
    {
        using var model = new ClipModel(ClipConfig.FromPreset(preset));
        var inventory = string.Join("\n", model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]")) + "\n";
        var approved = Path.Combine(TestData.RepoRoot, "tests", "ClipUp.Tests", "Model", "Approved", $"{preset}.keys.txt");
        if (!File.Exists(approved))
        {
            File.WriteAllText(approved, inventory);
            Assert.Fail($"wrote {approved}: review it and commit it");
        }
        Assert.Equal(File.ReadAllText(approved), inventory);
    }

    [Fact]
    public void OpenAiKeysAreUsedVerbatim()
    {
        using var model = new ClipModel(ClipConfig.Tiny);
        var keys = model.state_dict().Keys.ToHashSet();
        foreach (var k in new[]
                 {
                     "visual.conv1.weight", "visual.class_embedding", "visual.positional_embedding", "visual.ln_pre.weight",
                     "visual.transformer.resblocks.0.attn.in_proj_weight", "visual.transformer.resblocks.1.mlp.c_fc.weight",
                     "visual.ln_post.bias", "visual.proj", "token_embedding.weight", "positional_embedding",
                     "transformer.resblocks.1.attn.out_proj.weight", "transformer.resblocks.0.mlp.c_proj.bias",
                     "ln_final.weight", "text_projection", "logit_scale",
                 })
            Assert.Contains(k, keys);
    }
}
