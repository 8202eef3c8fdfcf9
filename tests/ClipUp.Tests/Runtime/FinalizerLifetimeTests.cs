using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Runtime;

/// <summary>
/// TorchSharp 0.107 hands libtorch bare pointers and frees them in finalizers (environment.md, "Finalizers"): a wrapper
/// nothing references any more (the temporary in <c>a.t().normal_()</c>, an implicit Scalar, the fresh Parameter of
/// nn.Embedding's weight getter) can be collected while the native call it was handed still runs. Without the build's
/// fix (eng/native/late_free_shim.cpp; CLIPUP_FREE_LATE=0 switches it off) the tensor test killed its process with
/// SIGSEGV within about a second in 6 of 6 runs, and the Scalar test, whose window is microseconds, failed with
/// INTERNAL ASSERT FAILED in c10/core/Scalar.h in about one run of three. With it, what a finalizer disposes is freed
/// 10 s late.
/// </summary>
[Collection("TorchGlobal")]
public class FinalizerLifetimeTests
{
    [Fact]
    public async Task AnImplicitScalarOutlivesTheCallItWasHanded()
    {
        using var a = ones(32, 32);
        using var b = ones(32, 32);
        await WhileCollecting(() =>
        {
            for (var i = 0; i < 300_000; i++)
            {
                using var sum = Sum(a, b);
                if (i % 1000 == 0) Assert.Equal(2f, sum[0, 0].item<float>());
            }
        });
    }

    // Optimised from the first call: TorchSharp's `+` passes an implicit alpha = 1 Scalar that nothing holds during the
    // native call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Tensor Sum(Tensor a, Tensor b) => a + b;

    [Fact]
    public async Task ADroppedTemporaryOutlivesTheInPlaceCallItWasHanded()
    {
        using var weights = zeros(1024, 1024);
        using var g = new Generator(7);
        await WhileCollecting(() =>
        {
            for (var i = 0; i < 300; i++) DrawIntoTranspose(weights, g);
        });
        Assert.InRange(weights.std().item<float>(), 0.99f, 1.01f);   // the draws landed in the weights
    }

    // Optimised from the first call, as hot code is: normal_ is inlined, its `return this` is discarded, and the
    // transposed view's wrapper is unreachable while libtorch fills it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DrawIntoTranspose(Tensor weights, Generator g) => weights.t().normal_(0, 1, g);

    internal static async Task WhileCollecting(Action work)
    {
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        });
        try { work(); }
        finally
        {
            stop.Cancel();
            await collector;
        }
    }
}
