using System.Text.RegularExpressions;

namespace ClipUp.Notebooks;

/// <summary>
/// The experiment profile a notebook runs with: the requested one (<c>CLIPUP_PROFILE</c>, or the runner's
/// <c>--profile</c>) when results for it are committed under <c>results/&lt;experiment&gt;/&lt;profile&gt;/</c>, else
/// <c>smoke</c>, the profile every notebook can run on a CPU in minutes. So "Run All" never starts a long training run
/// by surprise. Profile names are not a fixed list (smoke, full, cpu, ...): any lower-case name is accepted.
/// </summary>
/// <param name="Name">The profile cells see as <c>Profile</c>.</param>
/// <param name="Requested">The profile asked for.</param>
/// <param name="Reason">One sentence: which profile runs and why.</param>
public sealed partial record NotebookProfile(string Name, string Requested, string Reason)
{
    /// <summary>The profile that needs no committed results.</summary>
    public const string Smoke = "smoke";

    /// <summary>The environment variable that requests a profile in the kernels.</summary>
    public const string Variable = "CLIPUP_PROFILE";

    /// <summary><c>CLIPUP_PROFILE</c> if set, else <c>smoke</c>.</summary>
    public static string RequestedFromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } p ? p.Trim() : Smoke;

    /// <summary>The results folder notebooks read: <c>results/</c> beside the notebooks folder.</summary>
    public static string ResultsRoot(string notebookDir) => Path.GetFullPath(Path.Combine(notebookDir, "..", "results"));

    /// <summary>Chooses the profile for notebooks in <paramref name="notebookDir"/>; see the type summary.</summary>
    public static NotebookProfile Choose(string notebookDir, string? requested = null)
    {
        requested ??= RequestedFromEnvironment();
        Validate(requested);
        if (requested == Smoke)
            return new(Smoke, requested, "smoke profile: each notebook trains its own tiny models on CPU");
        var experiments = ExperimentsWithResults(ResultsRoot(notebookDir), requested);
        return experiments.Count > 0
            ? new(requested, requested, $"{requested} profile: committed results for {experiments.Count} experiment(s) under results/*/{requested}/ ({string.Join(", ", experiments)}); notebooks without them train the smoke profile")
            : new(Smoke, requested, $"smoke profile: {requested} was requested but results/*/{requested}/ holds no results, so each notebook trains its own tiny models on CPU");
    }

    /// <summary>Throws unless <paramref name="profile"/> is a lower-case name (letters, digits, '-').</summary>
    public static void Validate(string profile)
    {
        if (!ProfileName().IsMatch(profile))
            throw new ArgumentException($"profile '{profile}' is not a profile name: use lower-case letters, digits and '-' (smoke, full, ...)", nameof(profile));
    }

    /// <summary>Experiments (folder names under <paramref name="resultsRoot"/>) with result files for <paramref name="profile"/>, sorted.</summary>
    public static IReadOnlyList<string> ExperimentsWithResults(string resultsRoot, string profile) =>
        !Directory.Exists(resultsRoot) ? [] :
        Directory.GetDirectories(resultsRoot)
            .Where(e => Directory.Exists(Path.Combine(e, profile)) && Directory.EnumerateFiles(Path.Combine(e, profile), "*-seed*.json").Any())
            .Select(e => Path.GetFileName(e)).Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex ProfileName();
}
