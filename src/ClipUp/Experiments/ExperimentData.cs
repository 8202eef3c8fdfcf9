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
        if (spec.StartsWith("data:", StringComparison.Ordinal))
        {
            var parts = spec["data:".Length..].Split('+');
            var first = Path.Combine(Root(), parts[0]);
            return parts.Length == 1 ? first : Concatenate(first, parts[1..].Select(p => Path.Combine(Path.GetDirectoryName(first)!, p)).ToList(), resultsDir);
        }
        return spec;
    }

    /// <summary>
    /// <c>data:fashion/train.tsv+extra.tsv</c>: tables of one folder (same columns, images in the same images/) read as
    /// one, written once under results/_data with absolute image paths so that the concatenation reads like any table.
    /// </summary>
    public static string Concatenate(string first, IReadOnlyList<string> rest, string resultsDir)
    {
        var name = string.Join("+", new[] { first }.Concat(rest).Select(Path.GetFileNameWithoutExtension));
        var folder = Path.GetFileName(Path.GetDirectoryName(first)!);
        var target = Path.Combine(resultsDir, "_data", $"{folder}-{name}.tsv");
        if (File.Exists(target)) return target;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var images = DataConfig.DefaultImageRoot(first);
        var lines = new List<string>();
        string? header = null;
        foreach (var table in new[] { first }.Concat(rest))
        {
            if (!File.Exists(table)) throw new FileNotFoundException($"{table} not found: the profile's data names it (data folder {Root()})", table);
            var rows = File.ReadAllLines(table);
            if (header is null) { header = rows[0]; lines.Add(header); }
            else if (rows[0] != header) throw new InvalidDataException($"{table} has other columns than {first}: only tables of the same columns concatenate");
            int imageColumn = Array.IndexOf(header.Split('\t'), "image");
            foreach (var row in rows.Skip(1))
            {
                var cells = row.Split('\t');
                if (imageColumn >= 0 && imageColumn < cells.Length && !Path.IsPathRooted(cells[imageColumn]))
                    cells[imageColumn] = Path.Combine(images, cells[imageColumn]);
                lines.Add(string.Join('\t', cells));
            }
        }
        var tmp = target + ".tmp";
        File.WriteAllLines(tmp, lines);
        File.Move(tmp, target, overwrite: true);
        return target;
    }

    /// <param name="dataDir">Where generated data (synthetic sets, concatenated tables) goes; default: three levels above <paramref name="outDir"/>.</param>
    public static RunConfig RunConfigFor(ProfileSpec p, string outDir, int seed, string? dataDir = null)
    {
        var resultsDir = dataDir is null ? Path.GetFullPath(Path.Combine(outDir, "..", "..", "..")) : Path.GetFullPath(Path.Combine(dataDir, ".."));
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
                ZeroShotAttributes = p.ZeroShotAttributes ?? [],
            },
        };
    }
}
