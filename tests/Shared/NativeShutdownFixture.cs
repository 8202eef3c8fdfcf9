// Compiled into every test assembly (each csproj links it): one fixture and one exit hook per test host.
[assembly: AssemblyFixture(typeof(ClipUp.TestSupport.NativeShutdownFixture))]

namespace ClipUp.TestSupport;

/// <summary>
/// Runs once after the last test of this assembly: frees every unreachable tensor while libtorch is fully alive, so
/// no finalizer is still running when the test host exits and libtorch's static destructors run (the exit code 139
/// of issue 15; ClipUp.Runtime.NativeShutdown explains the race).
/// </summary>
public sealed class NativeShutdownFixture : IDisposable
{
    public void Dispose() => ClipUp.Runtime.NativeShutdown.DrainFinalizers();
}

/// <summary>
/// The test host leaves with <c>_exit</c> after reporting its results, skipping libtorch's static destructors, which
/// crashed it with exit code 139 after every test had passed (ClipUp.Runtime.NativeShutdown.SkipNativeTeardownAtExit).
/// </summary>
internal static class NativeTeardown
{
#pragma warning disable CA2255 // a module initializer is how a test host opts in before any test runs
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void SkipAtExit() => ClipUp.Runtime.NativeShutdown.SkipNativeTeardownAtExit();
#pragma warning restore CA2255
}
