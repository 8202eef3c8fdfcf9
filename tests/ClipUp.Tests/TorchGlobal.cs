namespace ClipUp.Tests;

/// <summary>Tests that change TorchSharp's global state (seed, default dtype, dispose statistics) run here, one at a time.</summary>
[CollectionDefinition("TorchGlobal", DisableParallelization = true)]
public sealed class TorchGlobalCollection;
