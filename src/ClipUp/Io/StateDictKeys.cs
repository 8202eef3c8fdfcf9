namespace ClipUp.Io;

/// <summary>A state dict whose key set differs from the one its architecture needs.</summary>
public sealed class StateDictKeyException(string message, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected)
    : ArgumentException(message)
{
    /// <summary>Keys the architecture needs that the state dict lacks, sorted.</summary>
    public IReadOnlyList<string> Missing { get; } = missing;

    /// <summary>Keys the state dict has that the architecture does not use, sorted.</summary>
    public IReadOnlyList<string> Unexpected { get; } = unexpected;
}

/// <summary>Exact key-set checks with messages a person can act on (PyTorch's <c>load_state_dict(strict=True)</c>, listed).</summary>
public static class StateDictKeys
{
    /// <summary>How many keys of each kind a message lists before it says "... and N more".</summary>
    public const int Listed = 20;

    /// <summary>
    /// Throws <see cref="StateDictKeyException"/> unless <paramref name="actual"/> holds exactly the <paramref name="expected"/> keys.
    /// <paramref name="what"/> names the state dict in the message ("HF checkpoint model.safetensors").
    /// </summary>
    public static void RequireExactly(IEnumerable<string> expected, IEnumerable<string> actual, string what)
    {
        var want = expected.ToHashSet(StringComparer.Ordinal);
        var have = actual.ToHashSet(StringComparer.Ordinal);
        var missing = want.Except(have).Order(StringComparer.Ordinal).ToList();
        var unexpected = have.Except(want).Order(StringComparer.Ordinal).ToList();
        if (missing.Count == 0 && unexpected.Count == 0) return;
        string message = $"{what} does not match the expected keys: {missing.Count} missing, {unexpected.Count} unexpected."
            + List("missing", missing) + List("unexpected", unexpected);
        throw new StateDictKeyException(message, missing, unexpected);
    }

    private static string List(string kind, List<string> keys) =>
        keys.Count == 0 ? ""
            : $"\n  {kind} ({keys.Count}): {string.Join(", ", keys.Take(Listed))}{(keys.Count > Listed ? $", ... and {keys.Count - Listed} more" : "")}";
}
