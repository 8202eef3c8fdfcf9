using ClipUp.Model;
using ClipUp.Training;

namespace ClipUp.Bench;

/// <summary>The models the benchmarks compare: dense, or MoE with E=8, top-2 in every other layer of both towers.</summary>
public static class BenchModels
{
    public static ClipModelBase Create(ClipConfig config, bool moe)
    {
        if (moe) throw new ArgumentException("the MoE benchmark needs ClipUp.Moe, which is not merged yet");
        return new ClipModel(config);
    }

    public static Func<ClipModelBase, StepAux?>? Aux(bool moe) => null;
}
