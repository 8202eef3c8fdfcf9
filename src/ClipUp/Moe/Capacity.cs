namespace ClipUp.Moe;

/// <summary>
/// Expert capacity: how many token slots each expert's buffer has. ClipUp follows vmoe/GShard/Switch:
/// <c>C = max(MinCapacity, ⌈K·T·CF / E⌉)</c>, capped at T, with no rounding to a multiple of 4 (vmoe and AXLearn round up
/// for TPU tiling, which changes the effective factor at small T). The cap at T is ours: a token picks an expert at most
/// once, so an expert never receives more than T tokens, and expert choice needs C ≤ T to pick its top-C tokens.
/// Expert-choice routing passes K = 1, so E·C ≈ CF·T slots and each token is processed by CF experts on average.
/// AXLearn instead uses ⌊T·CF/E⌋ without the K (clip-up.md §7.2): its CF 2 at top-2 equals our CF 1.
/// Axes: T tokens, E experts, K top-k, C capacity.
/// </summary>
public static class Capacity
{
    /// <param name="tokens">T, the tokens routed together (B·T of one MoE call).</param>
    /// <param name="experts">E.</param>
    /// <param name="topK">K (1 for expert choice).</param>
    /// <param name="factor">Capacity factor CF &gt; 0; CF ≥ E/K never drops a token.</param>
    /// <param name="minCapacity">Lower bound applied before the cap at T.</param>
    /// <exception cref="ArgumentException">When an argument is out of range or the capacity would be below 1.</exception>
    public static int Compute(int tokens, int experts, int topK, double factor, int minCapacity = 1)
    {
        if (tokens < 1) throw new ArgumentException($"capacity needs at least one token, got tokens = {tokens}");
        if (experts < 1) throw new ArgumentException($"capacity needs at least one expert, got experts = {experts}");
        if (topK < 1 || topK > experts) throw new ArgumentException($"topK {topK} must be in 1..{experts} (the number of experts)");
        if (!(factor > 0) || !double.IsFinite(factor))
            throw new ArgumentException($"capacity factor {factor} with {tokens} tokens and {experts} experts gives capacity < 1: use a factor > 0");
        if (minCapacity < 0) throw new ArgumentException($"minCapacity {minCapacity} must be >= 0");
        // The 1e-9 keeps exact products such as 2·6·1.0/3 = 4 from rounding up to 5 through floating-point error.
        double slots = Math.Ceiling(topK * (double)tokens * factor / experts - 1e-9);
        int capacity = (int)Math.Min(tokens, Math.Max(minCapacity, slots));
        if (capacity < 1)
            throw new ArgumentException($"tokens = {tokens}, experts = {experts}, topK = {topK}, factor = {factor} give capacity {capacity} < 1: raise the factor");
        return capacity;
    }
}
