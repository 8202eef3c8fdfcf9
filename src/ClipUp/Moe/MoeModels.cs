using ClipUp.Io;
using ClipUp.Model;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// MoE CLIPs from scratch: the dense architecture with an <see cref="MoeMlp"/> at every site the config selects
/// (towers × placement) and dense <see cref="Mlp"/>s elsewhere. Experts start like the dense init scheme (each expert as
/// ClipInit initialises a dense MLP of that tower), routers N(0, RouterInitStd²); everything else is ClipInit's.
/// </summary>
public static class MoeModels
{
    /// <summary>A two-tower MoE CLIP (experiments 4 and, through <see cref="Upcycler"/>, 6 = CLIP-UP).</summary>
    public static ClipModel Create(ClipConfig clip, MoeConfig moe, long seed)
    {
        moe.Validate(clip);
        return new ClipModel(clip, Factory(moe, seed), seed);
    }

    /// <summary>A LIMoE-style shared-backbone MoE CLIP (experiment 3); needs <see cref="MoeTowers.Both"/>.</summary>
    public static SharedClipModel CreateShared(ClipConfig clip, MoeConfig moe, long seed)
    {
        if (moe.Towers != MoeTowers.Both)
            throw new ArgumentException($"a shared backbone serves both modalities, but Towers is {moe.Towers}: set Towers = Both");
        SharedClipModel.Validate(clip);
        moe.Validate(clip.Vision.Layers);
        return new SharedClipModel(clip, Factory(moe, seed), seed);
    }

    /// <summary>The MLP factory: MoE at selected sites (each with its own seed derived from the model seed and the site), dense elsewhere.</summary>
    public static MlpFactory Factory(MoeConfig moe, long seed) =>
        site => IsMoeSite(moe, site) ? new MoeMlp(site, moe, SiteSeed(seed, site)) : MlpFactories.Dense(site);

    /// <summary>Whether a block gets an MoE MLP: its tower is selected (a shared block always is) and the placement picks its index.</summary>
    public static bool IsMoeSite(MoeConfig moe, MlpSite site)
    {
        bool towerSelected = site.Tower switch
        {
            Tower.Image => moe.Towers != MoeTowers.Text,
            Tower.Text => moe.Towers != MoeTowers.Image,
            _ => true,
        };
        return towerSelected && moe.Placement.LayersOf(site.Layers).Contains(site.Layer);
    }

    /// <summary>The MoE block indices of one tower (empty when the tower is not selected).</summary>
    public static IReadOnlyList<int> MoeLayers(MoeConfig moe, Tower tower, int layers) =>
        [.. Enumerable.Range(0, layers).Where(i => IsMoeSite(moe, new MlpSite(tower, i, layers, 1, 1, Activation.Gelu)))];

    /// <summary>The layout the Io layer stores with a checkpoint (KEYS.md "MoE blocks"); the full config goes in as JSON.</summary>
    public static MoeLayout Layout(ClipConfig clip, MoeConfig moe) =>
        new(moe.NumExperts, moe.TopK, MoeLayers(moe, Tower.Image, clip.Vision.Layers), MoeLayers(moe, Tower.Text, clip.Text.Layers), moe.ToJson());

    // SplitMix64 of (seed, tower, layer): independent, reproducible streams per MoE layer.
    private static long SiteSeed(long seed, MlpSite site)
    {
        ulong z = (ulong)seed ^ ((ulong)(site.Tower + 1) << 32) ^ (ulong)site.Layer;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)((z ^ (z >> 31)) & 0x7FFF_FFFF_FFFF_FFFFUL);
    }
}
