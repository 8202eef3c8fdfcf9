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
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "_exit")]
    private static extern void LibcExit(int status);

    private static int skipping;

    /// <summary>
    /// Ends the process with <c>_exit</c> once .NET's own shutdown has run (the <see cref="AppDomain.ProcessExit"/>
    /// event), with the exit code Main returned: the C++ static destructors of libtorch and its thread pools then never
    /// run, and no thread still working (a background cell, a loader) can race them. A process that has reported its
    /// results has nothing left for those destructors to do. (The test-host crashes of 2026-12-03 that prompted this
    /// came before exit, from a finalized Generator: environment.md.) Linux only; calling it again does nothing.
    /// </summary>
    public static void SkipNativeTeardownAtExit()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref skipping, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Console.Out.Flush();
            Console.Error.Flush();
            LibcExit(Environment.ExitCode);
        };
    }

    /// <summary>Collects, runs every pending finalizer, and collects what those released.</summary>
    public static void DrainFinalizers()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
