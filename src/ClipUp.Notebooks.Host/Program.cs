using ClipUp.Notebooks;
using NetMQ;

// clipup-kernel: the notebook engine without the CLI, so tests and Jupyter can start it directly. `clipup kernel ...`
// and `clipup notebooks ...` call the same library entry points.
const string usage = """
    usage: clipup-kernel kernel run --connection-file FILE
           clipup-kernel kernel install [--user | --prefix DIR]
           clipup-kernel notebooks run [--profile smoke|full] [--out DIR] NOTEBOOK.ipynb...
    """;

// libtorch's static destructors can crash a process that has finished its work (exit code 139): skip them.
ClipUp.Runtime.NativeShutdown.SkipNativeTeardownAtExit();

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] is not ("--connection-file" or "--prefix" or "--profile" or "--out"))).ToList();

switch (positional)
{
    case ["kernel", "run"] when Option("--connection-file") is { } file:
        await JupyterKernel.RunAsync(file);
        NetMQConfig.Cleanup(block: false);
        return 0;
    case ["kernel", "install"]:
        var dir = Option("--prefix") is { } prefix ? KernelSpec.PrefixKernelsDir(prefix) : KernelSpec.UserKernelsDir();
        Console.WriteLine($"installed {KernelSpec.Install(dir, KernelSpec.CurrentProcessLauncher())}");
        return 0;
    case ["notebooks", "run", .. var notebooks] when notebooks.Count > 0:
        var summary = await NotebookRunner.RunAsync(notebooks, Option("--profile") ?? "smoke", Option("--out"));
        foreach (var r in summary.Results)
            Console.WriteLine($"{r.Status,-6} {r.Notebook} ({r.Elapsed.TotalSeconds:F1} s){(r.FailingCell is not null ? $": {r.Error}" : "")}");
        return summary.ExitCode;
    default:
        Console.Error.WriteLine(usage);
        return 2;
}
