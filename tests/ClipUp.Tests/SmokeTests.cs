using static TorchSharp.torch;
namespace ClipUp.Tests;
public class SmokeTests
{
    [Fact] public void TorchSharpLoads() => Assert.Equal(6f, ones(2, 3).sum().item<float>());
}
