using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Moe;

/// <summary>
/// A sparse MoE MLP, drop-in for <see cref="Mlp"/> in a <see cref="ResidualAttentionBlock"/>: tokens [B, T, D] are
/// flattened, routed (<see cref="router"/>), dispatched to the stacked <see cref="experts"/> within capacity, and
/// combined back. Keys: <c>mlp.router.weight</c> [E, D], <c>mlp.experts.c_fc_weight</c> [E, D, F], … (KEYS.md).
/// The capacity factor is <see cref="MoeConfig.TrainCapacityFactor"/> in training mode, else
/// <see cref="MoeConfig.EvalCapacityFactor"/>. Each call records a <see cref="RoutingReport"/> on this instance (never
/// in static state, STYLE R8): the latest one per modality is kept until <see cref="Routing.Take"/> collects it, so a
/// forgotten Take never accumulates graphs across steps. Every position is routed, text padding after the end token
/// included (as in AXLearn), so padding uses capacity and counts in the losses. All B·T tokens of a call form one
/// routing group. Axes: B batch, T tokens, D width, E experts, C capacity, K top-k.
/// </summary>
public sealed class MoeMlp : nn.Module<Tensor, Tensor>, IModalityTagged, ITokenMasked
{
    public readonly TopKRouter router;
    public readonly Experts experts;
    private readonly Dictionary<Tower, RoutingReport> reports = [];

    /// <param name="site">Where the layer sits; gives width D, hidden F, activation, and the tags of its reports.</param>
    /// <param name="config">Validated here against the site's tower depth.</param>
    /// <param name="seed">Seeds expert init, router init and router noise.</param>
    public MoeMlp(MlpSite site, MoeConfig config, long seed) : base(nameof(MoeMlp))
    {
        config.Validate(site.Layers);
        Site = site;
        Config = config;
        Modality = site.Tower;
        using var generator = new Generator((ulong)seed);   // alive until the last draw (environment.md, "Finalizers")
        experts = new Experts(config.NumExperts, site.Width, site.Hidden, site.Activation, site.Layers, generator);
        router = new TopKRouter(site.Width, config, seed ^ 0x5DEECE66DL);
        RegisterComponents();
    }

    /// <summary>Tower, block index and shape of this layer.</summary>
    public MlpSite Site { get; }

    /// <summary>The routing recipe (validated).</summary>
    public MoeConfig Config { get; }

    /// <summary>Which modality the next calls route (set by a shared backbone before each pass; a tower's own otherwise).</summary>
    public Tower Modality { get; set; }

    /// <summary>Positions to route ([B, T] bool) for the next calls, set by the text tower; others get a zero MLP output.</summary>
    public Tensor? TokenMask { private get; set; }

    /// <param name="x">[B, T, D] (or [T, D]).</param>
    /// <returns>Same shape as <paramref name="x"/>; tokens that no expert processed get zeros.</returns>
    public override Tensor forward(Tensor x)
    {
        CheckShape(x);
        var all = x.reshape(-1, Site.Width);                                                        // [B·T, D]
        var keep = Kept(x);                                                                         // [N] rows routed, or null
        var tokens = keep is null ? all : all.index_select(0, keep);                                // [N, D]
        int t = (int)tokens.shape[0];
        var route = router.call(tokens);                                                            // [B·T, E], [B·T, K]
        bool tokenChoice = Config.Router == RouterKind.TokenChoice;
        int capacity = Capacity.Compute(t, Config.NumExperts, tokenChoice ? Config.TopK : 1,
            training ? Config.TrainCapacityFactor : Config.EvalCapacityFactor, Config.MinCapacity);
        var assignments = tokenChoice
            ? Assignments.FromTokenChoice(route.ExpertIndex, route.Gates, Config.BatchPriority ? Gating.BatchPriorityOrder(route.Probs) : null)
            : ExpertChoice.Select(route.Probs, capacity);                                           // A = K·B·T or E·C
        var result = Dispatch.Apply(Config.Dispatch, tokens, assignments, experts, capacity);
        reports[Modality] = RoutingReport.Create(Site, Modality, Config, route, assignments, result, capacity, training);
        var output = keep is null ? result.Output : all.new_zeros(all.shape).index_copy(0, keep, result.Output);
        return output.reshape(x.shape);                                                             // [B, T, D]
    }

    /// <summary>The reports recorded since the last call, in modality order (Image, Text, Shared); clears them.</summary>
    public IReadOnlyList<RoutingReport> TakeReports()
    {
        var taken = reports.OrderBy(r => r.Key).Select(r => r.Value).ToList();
        reports.Clear();
        return taken;
    }

    private Tensor? Kept(Tensor x)
    {
        if (TokenMask is null) return null;
        if (TokenMask.numel() * Site.Width != x.numel())
            throw new ArgumentException($"token mask [{string.Join(", ", TokenMask.shape)}] does not match the input [{string.Join(", ", x.shape)}]");
        return TokenMask.reshape(-1).nonzero().squeeze(1);                                          // [N]
    }

    private void CheckShape(Tensor x)
    {
        if (x.dim() < 2 || x.shape[^1] != Site.Width)
            throw new ArgumentException(
                $"MoE MLP at {Site.Tower} layer {Site.Layer} expected [B, T, {Site.Width}], got [{string.Join(", ", x.shape)}]");
    }
}
