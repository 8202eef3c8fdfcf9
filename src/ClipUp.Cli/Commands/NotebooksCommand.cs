using System.CommandLine;
using ClipUp.Notebooks;
using NetMQ;
using Spectre.Console;

namespace ClipUp.Cli.Commands;

/// <summary><c>clipup notebooks run</c> and <c>clipup kernel install|run</c>: thin wrappers over ClipUp.Notebooks.</summary>
public static class NotebooksCommand
{
    public static Command Notebooks()
    {
        var files = new Argument<string[]>("notebooks") { Description = "Notebooks to run, in order (e.g. notebooks/*.ipynb).", Arity = ArgumentArity.OneOrMore };
        var profile = new Option<string>("--profile") { Description = "The profile to show (smoke, full, ...): used where its results are committed under results/, else smoke; visible to notebook code as Profile.", DefaultValueFactory = _ => "smoke" };
        var outDir = new Option<string?>("--out") { Description = "Write executed notebooks here instead of in place." };
        var run = new Command("run", "Execute notebooks top to bottom and write their outputs.") { files, profile, outDir };
        run.SetAction(async (parse, ct) =>
        {
            var p = parse.GetValue(profile)!;
            try { NotebookProfile.Validate(p); }
            catch (ArgumentException e) { throw new UserErrorException($"--profile {p}: {e.Message}"); }
            var summary = await NotebookRunner.RunAsync(parse.GetValue(files)!, p, parse.GetValue(outDir), ct);
            var table = new Table().AddColumns("notebook", "status", "seconds", "failing cell");
            foreach (var r in summary.Results)
                table.AddRow(Markup.Escape(r.Notebook), r.Status.ToString(), r.Elapsed.TotalSeconds.ToString("F1"),
                    Markup.Escape(r.FailingCell is { } c ? $"cell {c}: {r.Error}" : ""));
            AnsiConsole.Write(table);
            return summary.ExitCode;
        });
        var name = new Argument<string>("notebook") { Description = "Notebook name (04-headline) or path." };
        var to = new Option<string>("--to") { Description = "Target format: cs (a .NET 10 file-based app).", Required = true };
        var outFile = new Option<string?>("--out") { Description = "Output file (default: beside the notebook, .cs)." };
        var export = new Command("export", "Write a notebook as a .NET 10 file-based app: `dotnet run NAME.cs` runs its cells in order and writes its charts to HTML files.") { name, to, outFile };
        export.SetAction(parse =>
        {
            if (parse.GetValue(to) != "cs") throw new UserErrorException($"--to {parse.GetValue(to)}: only cs is supported");
            string written;
            try { written = ClipUp.Notebooks.Export.FileBasedApp.Write(parse.GetValue(name)!, parse.GetValue(outFile)); }
            catch (FileNotFoundException e) { throw new UserErrorException(e.Message); }
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(written)}[/]: run it with dotnet run {Markup.Escape(Path.GetFileName(written))}");
            return 0;
        });
        return new Command("notebooks", "Run the notebook series with ClipUp's own engine, or export one as a C# file.") { run, export };
    }

    public static Command Kernel()
    {
        var prefix = new Option<string?>("--prefix") { Description = "Install under PREFIX/share/jupyter/kernels (e.g. a virtualenv)." };
        var user = new Option<bool>("--user") { Description = "Install for this user (the default)." };
        var install = new Command("install", "Write the clipup-csharp kernelspec so Jupyter and VS Code can run C# notebooks.") { prefix, user };
        install.SetAction(parse =>
        {
            var dir = parse.GetValue(prefix) is { } p ? KernelSpec.PrefixKernelsDir(p) : KernelSpec.UserKernelsDir();
            AnsiConsole.MarkupLine($"installed kernel [bold]clipup-csharp[/] in {Markup.Escape(KernelSpec.Install(dir, KernelSpec.CurrentProcessLauncher()))}");
            return 0;
        });
        var connection = new Option<string>("--connection-file") { Description = "The connection file Jupyter passes.", Required = true };
        var run = new Command("run", "Run the kernel (Jupyter starts this).") { connection };
        run.SetAction(async (parse, ct) =>
        {
            await JupyterKernel.RunAsync(parse.GetValue(connection)!, ct);
            NetMQConfig.Cleanup(block: false);
            return 0;
        });
        return new Command("kernel", "The Jupyter kernel for ClipUp's C# notebooks.") { install, run };
    }
}
