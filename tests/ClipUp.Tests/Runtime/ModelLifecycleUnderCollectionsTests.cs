using ClipUp.Io;
using ClipUp.Model;
using ClipUp.Moe;
using ClipUp.Tests.Io;
using ClipUp.Training;
using static TorchSharp.torch;

namespace ClipUp.Tests.Runtime;

/// <summary>
/// ClipUp's own paths under the finalizer race of <see cref="FinalizerLifetimeTests"/>. Without the fix
/// (CLIPUP_FREE_LATE=0) this dies within seconds when every method is optimised from its first call
/// (DOTNET_TieredCompilation=0); with tiered compilation it needs a long run to fail, hence Slow.
/// </summary>
[Collection("TorchGlobal")]
[Trait("Category", "Slow")]
public class ModelLifecycleUnderCollectionsTests
{
    [Fact]
    public async Task BuildingUpcyclingSavingLoadingAndTrainingSurviveCollections()
    {
        using var dir = new TempDir();
        var moe = new MoeConfig { NumExperts = 4, TopK = 2 };
        await FinalizerLifetimeTests.WhileCollecting(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                using var dense = new ClipModel(ClipConfig.Tiny, seed: i);
                using var up = Upcycler.Upcycle(dense, moe, seed: i);
                using var shared = MoeModels.CreateShared(ClipConfig.Tiny, moe, i);
                var path = dir.File("up.safetensors");
                SafeTensors.Save(path, up.state_dict());
                using var loaded = MoeModels.Create(ClipConfig.Tiny, moe, i + 1);
                Checkpoint.LoadModel(loaded, SafeTensors.Load(path), path);
                var images = loaded.EncodeImage(randn(2, 3, 32, 32));
                var texts = loaded.EncodeText(randint(0, 100, [2, 32], dtype: ScalarType.Int64));
                (images * texts).sum().backward();
            }
        });
    }

}
