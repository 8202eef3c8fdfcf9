using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Runtime;

/// <summary>
/// TorchSharp 0.107 frees a Scalar in its finalizer while libtorch may still read it (environment.md): a collection
/// during a native call that takes an implicit Scalar (tensor <c>+</c> passes alpha = 1) freed it under libtorch's
/// feet and the call failed with "Expected false to be true" from c10/core/Scalar.h, or the process died. The build
/// makes libLibTorchSharp free Scalars some seconds late (eng/native/scalar_shim.cpp), so no collection can do that.
/// </summary>
[Collection("TorchGlobal")]
public class ScalarLifetimeTests
{
    [Fact]
    public async Task TensorArithmeticStaysCorrectWhileAnotherThreadForcesCollections()
    {
        using var a = ones(32, 32);
        using var b = ones(32, 32);
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        });
        try
        {
            for (var i = 0; i < 30_000; i++)
            {
                using var sum = a + b;                        // an implicit alpha Scalar every call
                using var scaled = sum.mul(0.5);              // an implicit factor
                if (i % 1000 == 0) Assert.Equal(1f, scaled[0, 0].item<float>());
            }
        }
        finally
        {
            stop.Cancel();
            await collector;
        }
    }
}
