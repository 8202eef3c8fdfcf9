using ClipUp.Data;
using ClipUp.Training;

namespace ClipUp.Experiments;

/// <summary>Finds data sets and turns a profile into the <see cref="RunConfig"/> every variant starts from.</summary>
public static class ExperimentData
{
    /// <summary>
    /// The folder holding flickr8k/, fashion/, cifar10/: <c>$CLIPUP_DATA</c>, else <c>./data</c> (the GPU bundle's copy),
    /// else <c>../shared/data</c> beside the working directory or any parent of it.
    /// </summary>
    public static string Root()
    {
        if (Environment.GetEnvironmentVariable("CLIPUP_DATA") is { Length: > 0 } env) return env;
        if (Directory.Exists(Path.Combine("data", "flickr8k"))) return Path.GetFullPath("data");
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d != null; d = d.Parent)
        {
            var shared = Path.Combine(d.FullName, "..", "shared", "data");
            if (Directory.Exists(Path.Combine(shared, "flickr8k"))) return Path.GetFullPath(shared);
        }
        throw new DirectoryNotFoundException(
            "no data folder with flickr8k/ found: set CLIPUP_DATA, or run from a checkout with ../shared/data, or a GPU bundle with data/");
    }

    /// <summary>
    /// A path in a profile: <c>synthetic:train</c>/<c>synthetic:val</c> (generated on first use under results/_data),
    /// <c>data:flickr8k/train.tsv</c> (under <see cref="Root"/>), or a plain path.
    /// </summary>
    public static string Resolve(string spec, string resultsDir)
    {
        if (spec.StartsWith("synthetic:", StringComparison.Ordinal))
        {
            var dir = Path.Combine(resultsDir, "_data", "synthetic");
            if (!File.Exists(Path.Combine(dir, "val.tsv")))
            {
                SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(2000) { Seed = 1 }), dir, "train.tsv");
                SyntheticShapes.WriteFolder(SyntheticShapes.Generate(new SyntheticShapesConfig(200) { Seed = 2 }), dir, "val.tsv", firstIndex: 100_000);
            }
            return Path.Combine(dir, spec["synthetic:".Length..] + ".tsv");
        }
        if (spec.StartsWith("data:", StringComparison.Ordinal)) return Path.Combine(Root(), spec["data:".Length..]);
        return spec;
    }

    public static RunConfig RunConfigFor(ProfileSpec p, string outDir, int seed)
    {
        var resultsDir = Path.GetFullPath(Path.Combine(outDir, "..", "..", ".."));
        return new RunConfig
        {
            Model = p.Preset, ContextLength = p.ContextLength, Device = p.Device, Out = outDir,
            Data = new DataConfig { Train = Resolve(p.Data, resultsDir) },
            Train = new TrainConfig
            {
                Steps = p.DenseSteps, BatchSize = p.BatchSize, LearningRate = p.LearningRate, WarmupSteps = Math.Max(1, p.DenseSteps / 12),
                LogEvery = Math.Max(1, p.DenseSteps / 50), Seed = seed, CheckpointEvery = Math.Max(1, p.DenseSteps / 4),
                Precision = p.Device == "cpu" ? Precision.Fp32 : Precision.Bf16,
            },
            Eval = new EvalConfig
            {
                Retrieval = p.RetrievalEval is { } r ? Resolve(r, resultsDir) : null,
                ZeroShot = p.ZeroShotEval is { } z ? Resolve(z, resultsDir) : null, ZeroShotLimit = p.ZeroShotLimit,
            },
        };
    }
}
