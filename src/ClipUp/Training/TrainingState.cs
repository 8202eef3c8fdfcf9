using static TorchSharp.torch;

namespace ClipUp.Training;

/// <summary>Everything besides tensors that exact resume needs: the step, the optimizer's step count, the data position and the CPU RNG.</summary>
public sealed record TrainingState(int Step, long OptimizerSteps, StreamPosition Data, Tensor CpuRngState);
