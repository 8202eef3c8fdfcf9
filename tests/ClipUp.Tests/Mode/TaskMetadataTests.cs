using ClipUp.Mode;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class TaskMetadataTests
{
    /// <summary>"a photo of a cat." → (1, 0); any other prompt → (0, 1).</summary>
    private sealed class PromptEmbedder : ICaptionEmbedder
    {
        public string Name => "prompt";
        public int Dimension => 2;
        public Tensor Embed(IReadOnlyList<string> captions) =>
            tensor(captions.SelectMany(c => c == "a photo of a cat." ? new float[] { 1, 0 } : [0, 1]).ToArray(), [captions.Count, 2]);
    }

    [Fact]
    public void ClassEmbeddingsAverageThePromptsAndRenormalise()
    {
        // cat: mean((1, 0), (0, 1)) = (0.5, 0.5) → (0.7071068, 0.7071068). dog: (0, 1) twice → (0, 1).
        var e = TaskMetadata.ClassEmbeddings(new PromptEmbedder(), ["cat", "dog"], ["a photo of a {}.", "a drawing of a {}."]);
        Assert.True(allclose(e, tensor(new float[] { 0.7071068f, 0.7071068f, 0, 1 }).view(2, 2), 1e-6, 1e-6));
    }
}
