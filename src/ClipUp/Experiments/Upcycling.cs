using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Training;

namespace ClipUp.Experiments;

/// <summary>How experiments turn a dense model into the CLIP-UP MoE and train it.</summary>
public static class Upcycling
{
    /// <summary>The trainer's view of an MoE model: the routing aux loss and statistics of the step.</summary>
    public static StepAux? Aux(ClipModelBase model)
    {
        var summary = Routing.Take(model);
        return new StepAux(summary.AuxLoss, summary.Stats());
    }

    /// <summary>The quickstart's MoE: the dense model upcycled with E=4, top-2, every other layer of both towers.</summary>
    public static (string Name, string Description, ClipModelBase Model, Func<ClipModelBase, StepAux?>? Aux)? ForQuickstart(ClipModelBase dense)
    {
        var moe = new MoeConfig { NumExperts = 4, TopK = 2 };
        return ("clip-up", "upcycled MoE (E=4, top-2, every other layer, LB + z-loss)", Upcycler.Upcycle(dense, moe, seed: 1), Aux);
    }
}
