namespace ClipUp.Data;

/// <summary>One unreadable sample: its file (or key) and why it failed.</summary>
public sealed record DataError(string File, string Reason);

/// <summary>Unreadable samples seen so far: how many distinct files, and which.</summary>
public sealed record DataErrors(int Count, IReadOnlyList<DataError> Items)
{
    /// <summary>No errors.</summary>
    public static readonly DataErrors None = new(0, []);

    /// <summary>The files, one per line, at most <paramref name="max"/> of them.</summary>
    public string Describe(int max = 50)
    {
        var lines = Items.Take(max).Select(e => $"  {e.File}: {e.Reason}");
        string more = Items.Count > max ? $"{Environment.NewLine}  ... and {Items.Count - max} more" : "";
        return string.Join(Environment.NewLine, lines) + more;
    }
}

/// <summary>
/// Thrown when more of a data set is unreadable than <see cref="LoaderConfig.MaxErrorFraction"/> allows. Bad data is
/// the user's to fix: the CLI ends with exit code 2 and this message (ClipUp.Cli's CliErrors).
/// </summary>
/// <param name="setting">The setting as the user writes it (<c>data.max_error_fraction</c> in a run config).</param>
public sealed class DataErrorLimitException(DataErrors errors, int sourceCount, double maxFraction, string setting = "max_error_fraction")
    : Exception(Describe(errors, sourceCount, maxFraction, setting))
{
    /// <summary>The unreadable files.</summary>
    public DataErrors Errors { get; } = errors;

    /// <summary>Distinct images in the source.</summary>
    public int SourceCount { get; } = sourceCount;

    /// <summary>The fraction that was exceeded.</summary>
    public double MaxFraction { get; } = maxFraction;

    /// <summary>The same error, naming the setting as the caller's config spells it.</summary>
    public DataErrorLimitException WithSetting(string name) => new(Errors, SourceCount, MaxFraction, name);

    private static string Describe(DataErrors errors, int sourceCount, double maxFraction, string setting)
    {
        double allowed = Math.Floor(maxFraction * sourceCount);
        // The smallest two-decimal fraction that lets every file met so far be skipped.
        double enough = Math.Ceiling(100.0 * errors.Count / Math.Max(1, sourceCount)) / 100.0;
        return $"{errors.Count} of {sourceCount} images are unreadable, more than {setting} = {maxFraction:0.####} allows " +
               $"({allowed} of {sourceCount}): fix or remove these files, or set {setting} to {enough:0.##} or more to train without them:" +
               Environment.NewLine + errors.Describe();
    }
}
