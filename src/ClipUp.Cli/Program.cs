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
    ModeCommand.Create(),
};
return await CliErrors.InvokeAsync(root, args);
