using TorchSharp;

namespace ClipUp.Runtime;

/// <summary>
/// Scalars that live as long as the process. TorchSharp hands a <see cref="Scalar"/> to libtorch as a bare IntPtr and
/// frees it in a finalizer, so an implicit one (a literal where a Scalar is expected) can be collected and freed while
/// libtorch still reads it: <c>index_add</c>'s alpha reads it after its kernel work and came back corrupted under load
/// (a thread forcing collections reproduced it within a second). The build closes that race for every caller
/// (environment.md, "Finalizers": what the finalizer thread disposes is freed 10 s late); hot paths still pass these,
/// or a <c>using</c> Scalar that outlives the call, so that they are right on a machine where the build could not
/// apply that fix, and ClipUp's launchers make collections rare (<see cref="Gen0Budget"/>).
/// </summary>
public static class Scalars
{
    public static readonly Scalar One = 1;

    /// <summary>
    /// The gen0 allocation budget the launchers (./clipup, eng/run-clipup.sh, test.sh, the Jupyter kernelspec) set as
    /// <c>DOTNET_GCgen0size</c>: 256 MiB between collections instead of a few MiB, so there is less finalizer work and,
    /// where the build's fix is missing, a collection lands inside a native call hundreds of times less often. The runtime reads it only from the environment at start-up (a
    /// runtimeconfig property is ignored; measured).
    /// </summary>
    public const string Gen0Budget = "0x10000000";

    /// <summary>The environment variable that carries <see cref="Gen0Budget"/>.</summary>
    public const string Gen0BudgetVariable = "DOTNET_GCgen0size";
}
