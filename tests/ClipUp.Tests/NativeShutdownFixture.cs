[assembly: AssemblyFixture(typeof(ClipUp.Tests.NativeShutdownFixture))]

namespace ClipUp.Tests;

/// <summary>
/// Runs once after the last test of this assembly: frees every unreachable tensor while libtorch is fully alive, so
/// no finalizer is still running when the test host exits and libtorch's static destructors run (the exit code 139
/// of issue 15; ClipUp.Runtime.NativeShutdown explains the race).
/// </summary>
public sealed class NativeShutdownFixture : IDisposable
{
    public void Dispose() => ClipUp.Runtime.NativeShutdown.DrainFinalizers();
}
