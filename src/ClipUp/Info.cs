namespace ClipUp;

/// <summary>Package identity, shown by <c>clipup doctor</c> and written into checkpoints and results.</summary>
public static class Info
{
    public const string Name = "ClipUp";

    /// <summary>The library's informational version.</summary>
    public static string Version { get; } =
        typeof(Info).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
