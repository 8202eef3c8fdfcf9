namespace ClipUp.Runtime;

/// <summary>
/// Frees the native memory of unreachable TorchSharp (and SkiaSharp) objects now, on purpose, instead of leaving it
/// to the finalizer thread at a moment nobody chose. Call it when a long in-process run ends (a notebook, a test run,
/// a CLI command). The reason is process exit: .NET does not wait for the finalizer thread when <c>Main</c> returns,
/// so a collection shortly before exit leaves it running tensor finalizers (<c>THSTensor_dispose</c>) while
/// <c>exit()</c> runs libtorch's static destructors on the main thread. A host that ran many undisposed tensors
/// (notebook cells, tests) then dies with SIGSEGV (exit code 139) after its work succeeded. Draining the queue
/// first leaves the finalizer thread idle at exit; the objects still reachable are never finalized at exit.
/// </summary>
public static class NativeShutdown
{
    /// <summary>Collects, runs every pending finalizer, and collects what those released.</summary>
    public static void DrainFinalizers()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
