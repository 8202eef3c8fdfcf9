namespace ClipUp.Eval;

/// <summary>Zero-shot prompt templates; <c>{}</c> is replaced by the class name.</summary>
public static class PromptTemplates
{
    /// <summary>The 18 CIFAR-10 templates of the CLIP paper (openai/CLIP <c>data/prompts.md</c>).</summary>
    public static IReadOnlyList<string> Cifar10 { get; } =
    [
        "a photo of a {}.", "a blurry photo of a {}.", "a black and white photo of a {}.", "a low contrast photo of a {}.",
        "a high contrast photo of a {}.", "a bad photo of a {}.", "a good photo of a {}.", "a photo of a small {}.",
        "a photo of a big {}.", "a photo of the {}.", "a blurry photo of the {}.", "a black and white photo of the {}.",
        "a low contrast photo of the {}.", "a high contrast photo of the {}.", "a bad photo of the {}.",
        "a good photo of the {}.", "a photo of the small {}.", "a photo of the big {}.",
    ];

    /// <summary>Product attributes (fashion articleType, colour, …): catalogue photos, so product-style prompts.</summary>
    public static IReadOnlyList<string> Product { get; } =
    [
        "a photo of a {}.", "a product photo of a {}.", "a catalogue photo of {}.", "{}.",
    ];

    /// <summary>The single template "a photo of a {}." (fast smoke runs).</summary>
    public static IReadOnlyList<string> Simple { get; } = ["a photo of a {}."];

    public static string Fill(string template, string className) => template.Replace("{}", className, StringComparison.Ordinal);
}
