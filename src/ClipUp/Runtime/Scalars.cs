using TorchSharp;

namespace ClipUp.Runtime;

/// <summary>
/// Scalars that live as long as the process. TorchSharp hands a <see cref="Scalar"/> to libtorch as a bare IntPtr and
/// frees it in a finalizer, so an implicit one (a literal where a Scalar is expected) can be collected and freed while
/// libtorch still reads it: <c>index_add</c>'s alpha reads it after its kernel work and came back corrupted under load
/// under load (a thread forcing collections reproduced it within a second). TorchSharp itself creates such Scalars
/// inside ordinary operators (<c>a + b</c> passes an implicit alpha), so no caller can remove them all: hot paths pass
/// these, or a <c>using</c> Scalar that outlives the call, and ClipUp's launchers make collections rare
/// (<see cref="Gen0Budget"/>), which shrinks the race to a rare event.
/// </summary>
public static class Scalars
{
    public static readonly Scalar One = 1;

    /// <summary>
    /// The gen0 allocation budget the launchers (./clipup, eng/run-clipup.sh, test.sh, the Jupyter kernelspec) set as
    /// <c>DOTNET_GCgen0size</c>: 256 MiB between collections instead of a few MiB, so a collection lands inside a
    /// native call hundreds of times less often. The runtime reads it only from the environment at start-up (a
    /// runtimeconfig property is ignored; measured).
    /// </summary>
    public const string Gen0Budget = "0x10000000";

    /// <summary>The environment variable that carries <see cref="Gen0Budget"/>.</summary>
    public const string Gen0BudgetVariable = "DOTNET_GCgen0size";
}
