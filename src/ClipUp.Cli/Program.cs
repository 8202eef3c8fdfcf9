using System.CommandLine;
using ClipUp.Cli.Commands;

// `clipup`: each command parses its options, builds records, calls one library entry point and prints (STYLE R18).
var root = new RootCommand("ClipUp: sparse Mixture-of-Experts CLIP (CLIP-UP upcycling, MoDE data experts) on TorchSharp.")
{
    DoctorCommand.Create(),
    TrainCommand.Create(),
    UpcycleCommand.Create(),
    QuickstartCommand.Create(),
    EvalCommand.Create(),
    ExperimentCommand.Create(),
    NotebooksCommand.Notebooks(),
    NotebooksCommand.Kernel(),
    InspectCommand.Create(),
    ExportCommand.Create(),
    ParityCommand.Create(),
    BenchCommand.Create(),
    ModeCommand.Create(),
};
// libtorch's static destructors can crash a process that has finished its work (exit code 139): skip them.
ClipUp.Runtime.NativeShutdown.SkipNativeTeardownAtExit();
return await CliErrors.InvokeAsync(root, args);
