namespace ClipUp.Moe;

/// <summary>How <see cref="MoePlacement"/> picks a tower's MoE blocks.</summary>
public enum PlacementKind
{
    /// <summary>Odd block indices 1, 3, 5, … (V-MoE, LIMoE, sparse upcycling; AXLearn's "layer0 dense, layer1 MoE" example).</summary>
    EveryOther,

    /// <summary>Every block.</summary>
    All,

    /// <summary>The last <see cref="MoePlacement.Count"/> blocks.</summary>
    LastK,

    /// <summary>The blocks listed in <see cref="MoePlacement.Layers"/>.</summary>
    Explicit,
}

/// <summary>
/// Which transformer blocks of a tower get an MoE MLP; the others stay dense. The same placement applies to every tower
/// that <see cref="MoeConfig.Towers"/> selects, by block index within that tower. JSON: <c>{"kind": "last_k", "count": 2}</c>.
/// </summary>
public sealed record MoePlacement(PlacementKind Kind, int Count = 0, IReadOnlyList<int>? Layers = null)
{
    public static MoePlacement EveryOther => new(PlacementKind.EveryOther);
    public static MoePlacement All => new(PlacementKind.All);
    public static MoePlacement LastK(int count) => new(PlacementKind.LastK, count);
    public static MoePlacement Explicit(params int[] layers) => new(PlacementKind.Explicit, Layers: layers);

    /// <summary>The MoE block indices (ascending) of a tower with <paramref name="layerCount"/> blocks; validates first.</summary>
    public IReadOnlyList<int> LayersOf(int layerCount)
    {
        Validate(layerCount);
        return Kind switch
        {
            PlacementKind.EveryOther => [.. Enumerable.Range(0, layerCount).Where(i => i % 2 == 1)],
            PlacementKind.All => [.. Enumerable.Range(0, layerCount)],
            PlacementKind.LastK => [.. Enumerable.Range(layerCount - Count, Count)],
            _ => [.. Layers!.Order()],
        };
    }

    public void Validate(int layerCount)
    {
        MoeConfig.Require(layerCount > 0, $"placement needs a positive layer count, got {layerCount}");
        switch (Kind)
        {
            case PlacementKind.EveryOther:
                MoeConfig.Require(layerCount >= 2, $"moe.placement.kind every_other puts MoE on odd blocks, but the tower has {layerCount} block: use all or explicit");
                break;
            case PlacementKind.LastK:
                MoeConfig.Require(Count >= 1 && Count <= layerCount,
                    $"moe.placement.kind last_k with count {Count} needs 1 <= count <= {layerCount} (the tower's layers): set moe.placement.count in that range");
                break;
            case PlacementKind.Explicit:
                MoeConfig.Require(Layers is { Count: > 0 }, "moe.placement.kind explicit needs a non-empty moe.placement.layers list, e.g. [1, 3]");
                foreach (int i in Layers!)
                    MoeConfig.Require(i >= 0 && i < layerCount,
                        $"moe.placement.layers index {i} is out of range for a tower of {layerCount} layers: use indices 0..{layerCount - 1}");
                MoeConfig.Require(Layers.Distinct().Count() == Layers.Count, $"moe.placement.layers [{string.Join(", ", Layers)}] repeat an index: list each block once");
                break;
        }
    }

    // Records compare lists by reference; placements compare by value so configs round-trip through JSON equal.
    public bool Equals(MoePlacement? other) =>
        other is not null && Kind == other.Kind && Count == other.Count && (Layers ?? []).SequenceEqual(other.Layers ?? []);

    public override int GetHashCode() => HashCode.Combine(Kind, Count, (Layers ?? []).Aggregate(17, (h, i) => h * 31 + i));

    public override string ToString() => Kind switch
    {
        PlacementKind.LastK => $"LastK({Count})",
        PlacementKind.Explicit => $"Explicit([{string.Join(", ", Layers ?? [])}])",
        _ => Kind.ToString(),
    };
}
