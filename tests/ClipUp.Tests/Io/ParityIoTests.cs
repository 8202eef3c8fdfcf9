using ClipUp.Io;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Io;

public class ParityIoTests
{
    [Fact]
    public void TokenIdFilesHoldOneCaptionPerLine()
    {
        using var dir = new TempDir();
        long[][] ids = [[49406, 320, 1929, 49407], [49406, 49407], []];

        ParityIo.WriteTokenIds(dir.File("ids.txt"), ids);

        Assert.Equal("49406 320 1929 49407\n49406 49407\n\n", File.ReadAllText(dir.File("ids.txt")));
        Assert.Equal(ids, ParityIo.ReadTokenIds(dir.File("ids.txt")));
    }

    [Fact]
    public void ABadTokenIsReportedWithItsLine()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("ids.txt"), "1 2\n3 x 4\n");

        var e = Assert.Throws<InvalidDataException>(() => ParityIo.ReadTokenIds(dir.File("ids.txt")));

        Assert.Contains("ids.txt line 2: 'x' is not an integer token id", e.Message);
    }

    [Fact]
    public void CompareGivesTheLargestAbsoluteDifferencePerTensor()
    {
        var reference = new Dictionary<string, Tensor> { ["image_embeds"] = torch.tensor(new[] { 0.5f, -1.0f }), ["text_embeds"] = torch.tensor(new[] { 2f }) };
        var candidate = new Dictionary<string, Tensor> { ["image_embeds"] = torch.tensor(new[] { 0.5f, -0.75f }), ["text_embeds"] = torch.tensor(new[] { 2f }), ["extra"] = torch.ones(1) };

        var diffs = ParityIo.Compare(reference, candidate);

        // |-1.0 - (-0.75)| = 0.25; the reference's largest magnitude is 1.0.
        Assert.Equal([new TensorDiff("image_embeds", 0.25, 1.0), new TensorDiff("text_embeds", 0, 2.0)], diffs);
        Assert.Contains("'image_embeds' is [3] but the reference is [2]",
            Assert.Throws<ArgumentException>(() => ParityIo.Compare(reference, new Dictionary<string, Tensor> { ["image_embeds"] = torch.ones(3), ["text_embeds"] = torch.ones(1) })).Message);
    }
}
