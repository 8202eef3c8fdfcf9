using ClipUp.Model;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// Total and active parameters of MoE CLIPs. Active = everything a token uses: all dense parts, every router, and
/// K/E of each MoE layer's experts (min(E, EvalCapacityFactor)/E under expert choice), as "activated parameters"
/// in MoE-ViE's table. Both are also derived analytically, without building the model, for the big presets.
/// </summary>
public static class MoeParameters
{
    /// <summary>Counts a built model (dense models give Active = Total).</summary>
    public static ParameterCount Of(nn.Module model)
    {
        double inactive = 0;
        foreach (var (_, layer) in Routing.Layers(model))
        {
            long expertParams = layer.experts.parameters().Sum(p => p.numel());
            inactive += expertParams * (1 - Flops.ActiveExperts(layer.Config) / layer.Config.NumExperts);
        }
        return ParameterCount.Of(model, (long)Math.Round(inactive));
    }

    /// <summary>
    /// The same numbers from the configs alone (e.g. CLIP-UP B/16 with E = 8, top-2, every other layer of both towers:
    /// ≈ 437M total, 191M active, clip-up.md §1.2).
    /// </summary>
    public static ParameterCount Estimate(ClipConfig clip, MoeConfig? moe = null, bool shared = false)
    {
        var (v, t) = (clip.Vision, clip.Text);
        double total = 0, inactive = 0;
        void AddTower(Tower tower, int width, int hidden, int layers)
        {
            var moeLayers = moe is null ? [] : MoeModels.MoeLayers(moe, tower, layers);
            double mlp = 2.0 * width * hidden + hidden + width;
            double attention = 4.0 * width * width + 4 * width;
            for (int i = 0; i < layers; i++)
            {
                total += attention + 4 * width;                                                     // attn + ln_1 + ln_2
                if (!moeLayers.Contains(i)) { total += mlp; continue; }
                total += moe!.NumExperts * mlp + moe.NumExperts * width;                            // experts + router
                inactive += moe.NumExperts * mlp * (1 - Flops.ActiveExperts(moe) / moe.NumExperts);
            }
        }
        double imageStem = 3.0 * v.PatchSize * v.PatchSize * v.Width + v.Width + (double)v.Tokens * v.Width + 4 * v.Width + (double)v.Width * clip.EmbedDim;
        int tw = shared ? v.Width : t.Width;
        double textStem = (double)t.VocabSize * tw + (double)t.ContextLength * tw + 2 * tw + (double)tw * clip.EmbedDim;
        total += imageStem + textStem + 1;                                                          // + logit_scale
        if (shared) AddTower(Tower.Shared, v.Width, v.MlpHidden, v.Layers);
        else
        {
            AddTower(Tower.Image, v.Width, v.MlpHidden, v.Layers);
            AddTower(Tower.Text, t.Width, t.MlpHidden, t.Layers);
        }
        return new ParameterCount((long)Math.Round(total), (long)Math.Round(total - inactive));
    }
}
