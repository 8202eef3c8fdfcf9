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

/// <summary>Thrown when more of a data set is unreadable than <see cref="LoaderConfig.MaxErrorFraction"/> allows.</summary>
public sealed class DataErrorLimitException(DataErrors errors, int sourceCount, double maxFraction)
    : Exception(
        $"{errors.Count} of {sourceCount} images are unreadable, more than MaxErrorFraction {maxFraction:P2} allows " +
        $"({Math.Floor(maxFraction * sourceCount)}); fix or remove these files, or raise LoaderConfig.MaxErrorFraction:" +
        Environment.NewLine + errors.Describe())
{
    /// <summary>The unreadable files.</summary>
    public DataErrors Errors { get; } = errors;
}
