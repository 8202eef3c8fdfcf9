using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>
/// Embeds a task's metadata for routing (mode.md §3, <c>prep_feature.py::build_text_indfeatures</c>): each class name is
/// put into every prompt template, embedded with the clustering embedder, the prompts are averaged, and the average is
/// normalised again: e_l = normalize(mean_t normalize(embed(template_t(name_l)))).
/// </summary>
public static class TaskMetadata
{
    /// <summary>Class embeddings [L, D], one row per class name, on the embedder's device.</summary>
    /// <param name="templates">Prompt templates with "{}" for the name (e.g. <c>PromptTemplates.Cifar10</c>); ["{}"] embeds bare names.</param>
    public static Tensor ClassEmbeddings(ICaptionEmbedder embedder, IReadOnlyList<string> classNames, IReadOnlyList<string> templates)
    {
        if (classNames.Count == 0) throw new ArgumentException("task metadata needs at least one class name");
        if (templates.Count == 0) throw new ArgumentException("task metadata needs at least one template; use [\"{}\"] for bare names");
        var prompts = classNames.SelectMany(name => templates.Select(t => t.Replace("{}", name, StringComparison.Ordinal))).ToArray();
        using var scope = NewDisposeScope();
        var e = embedder.Embed(prompts).view(classNames.Count, templates.Count, -1);              // [L, T, D]
        return nn.functional.normalize(e.mean([1]), dim: 1).MoveToOuterDisposeScope();             // [L, D]
    }
}
