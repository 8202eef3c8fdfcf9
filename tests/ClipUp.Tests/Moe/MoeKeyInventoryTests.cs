using ClipUp.Model;
using ClipUp.Moe;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

/// <summary>
/// The MoE state-dict keys and shapes are pinned like the dense ones (STYLE R4, KEYS.md "MoE blocks"): an MoE block
/// differs from a dense one only below <c>mlp.</c>. To approve a deliberate change, delete the file and run the test once.
/// </summary>
public class MoeKeyInventoryTests
{
    [Theory]
    [InlineData("tiny-moe")]
    [InlineData("tiny-shared-moe")]
    public void MoeStateDictKeysAndShapesMatchTheApprovedInventory(string name)
    {
        var moe = new MoeConfig { NumExperts = 4, TopK = 2 };
        using nn.Module model = name == "tiny-moe"
            ? MoeModels.Create(ClipConfig.Tiny, moe, seed: 0)
            : MoeModels.CreateShared(ClipConfig.Tiny, moe, seed: 0);
        var inventory = string.Join("\n", model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]")) + "\n";
        var approved = Path.Combine(TestData.RepoRoot, "tests", "ClipUp.Tests", "Moe", "Approved", $"{name}.keys.txt");
        if (!File.Exists(approved))
        {
            File.WriteAllText(approved, inventory);
            Assert.Fail($"wrote {approved}: review it and commit it");
        }
        Assert.Equal(File.ReadAllText(approved), inventory);
    }
}
