using ClipUp.Experiments;
using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Training;

namespace ClipUp.Throughput;

/// <summary>The models the benchmarks compare: dense, or MoE with E=8, top-2 in every other layer of both towers.</summary>
public static class BenchModels
{
    /// <summary>The benchmark MoE, matching bench/reference/clip_reference.py: E=8, top-2, capacity factor 1.25.</summary>
    public static MoeConfig Moe => new() { NumExperts = 8, TopK = 2, TrainCapacityFactor = 1.25, EvalCapacityFactor = 1.25 };

    public static ClipModelBase Create(ClipConfig config, bool moe, DispatchPath dispatch = DispatchPath.Auto) =>
        moe ? MoeModels.Create(config, Moe with { Dispatch = dispatch }, 0) : new ClipModel(config);

    public static Func<ClipModelBase, StepAux?>? Aux(bool moe) => moe ? Upcycling.Aux : null;
}
