using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>Collects routing reports from a model's MoE layers (the only way they leave the modules).</summary>
public static class Routing
{
    /// <summary>
    /// Walks <paramref name="model"/>'s modules in registration order, takes (and clears) every <see cref="MoeMlp"/>'s
    /// reports, and sums their aux losses. Call it once per forward, inside the step's dispose scope, e.g. as the
    /// trainer's aux hook: <c>m =&gt; { var s = Routing.Take(m); return new StepAux(s.AuxLoss, s.Stats()); }</c>.
    /// </summary>
    public static RoutingSummary Take(nn.Module model)
    {
        var reports = new List<RoutingReport>();
        foreach (var (_, module) in model.named_modules())
            if (module is MoeMlp moe) reports.AddRange(moe.TakeReports());
        return RoutingSummary.Of(reports);
    }

    /// <summary>The model's MoE layers with their state-dict prefixes (e.g. <c>visual.transformer.resblocks.1.mlp</c>).</summary>
    public static IReadOnlyList<(string Name, MoeMlp Layer)> Layers(nn.Module model) =>
        [.. model.named_modules().Where(m => m.module is MoeMlp).Select(m => (m.name, (MoeMlp)m.module))];
}
