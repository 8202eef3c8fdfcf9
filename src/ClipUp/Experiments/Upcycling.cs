using ClipUp.Model;
using ClipUp.Training;

namespace ClipUp.Experiments;

/// <summary>How experiments turn a dense model into the CLIP-UP MoE (filled in by the Moe layer).</summary>
public static class Upcycling
{
    /// <summary>The quickstart's MoE continuation; null while ClipUp.Moe is not part of the build.</summary>
    public static (string Name, string Description, ClipModelBase Model, Func<ClipModelBase, StepAux?>? Aux)? ForQuickstart(ClipModelBase dense) => null;
}
