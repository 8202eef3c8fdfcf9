using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Model;

public class ClipModelTests
{
    [Theory]
    // OpenAI CLIP parameter counts (open_clip docs/model_profile.csv): 151.28M, 149.62M, 427.62M.
    [InlineData("B32", 151_277_313)]
    [InlineData("B16", 149_620_737)]
    [InlineData("L14", 427_616_513)]
    public void OpenAiPresetsHaveOpenAiParameterCounts(string preset, long expected)
    {
        using var model = new ClipModel(ClipConfig.FromPreset(preset));
        long count = ParameterCount.Of(model).Total;
        Assert.InRange(count, expected * 0.999, expected * 1.001);
        Assert.Equal(expected, count);
    }
}
