using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>
/// Turns captions into L2-normalised vectors for MoDE's clustering and routing (mode.md §1: the paper uses SimCSE
/// <c>pooler_output</c>; Table 7 compares the seed CLIP's text tower and TF-IDF). The same embedder must embed the
/// pretraining captions and the task metadata (class names), since routing compares them with the fine centres.
/// </summary>
public interface ICaptionEmbedder
{
    /// <summary>Identifies the embedder and its weights (cache key): two embedders with equal names must agree.</summary>
    string Name { get; }

    /// <summary>D, the width of every embedding.</summary>
    int Dimension { get; }

    /// <summary>
    /// Captions → float32 [N, D], each row of unit L2 norm (a row with nothing to embed, e.g. a TF-IDF caption with no
    /// known word, is all zeros), on the embedder's device. Works through the captions in batches.
    /// </summary>
    Tensor Embed(IReadOnlyList<string> captions);
}
