using System.Diagnostics;

namespace ClipUp.Notebooks;

/// <summary>The outcome of running one notebook.</summary>
public enum NotebookStatus { Passed, Failed }

/// <summary>
/// One notebook's run: where its outputs were written, how long it took and, for a failure, the 1-based number of the
/// failing cell (counting every cell, markdown included, as a reader sees them) and the error's first line. A notebook
/// that cannot be read fails with no cell number and is not rewritten.
/// </summary>
public sealed record NotebookRunResult(string Notebook, string OutputPath, NotebookStatus Status, TimeSpan Elapsed, int? FailingCell, string? Error);

/// <summary>All notebooks of a run; <see cref="ExitCode"/> is 0 only when every notebook passed.</summary>
public sealed record NotebookRunSummary(IReadOnlyList<NotebookRunResult> Results)
{
    public int ExitCode => Results.All(r => r.Status == NotebookStatus.Passed) ? 0 : 1;
}

/// <summary>
/// Runs .ipynb files top to bottom, each in a fresh <see cref="NotebookEngine"/>, and writes the outputs back into the
/// notebook (or into a copy in an output folder). A notebook stops at its first failing cell; the cells after it are
/// left without outputs, so no stale result survives. Execution counts restart at 1 for every notebook, and the
/// notebook gets ClipUp's kernel metadata (<see cref="NotebookMetadata.ForClipUp"/>). The run continues with the next
/// notebook after a failure; the summary says which failed.
/// </summary>
public static class NotebookRunner
{
    /// <param name="paths">.ipynb files, run in the given order.</param>
    /// <param name="profile">The requested profile; a notebook runs with it when results for it are committed beside
    /// the notebook folder, else with smoke (<see cref="NotebookProfile.Choose"/>), and cells see it as <c>Profile</c>.</param>
    /// <param name="outDir">Folder for the executed notebooks (same file names); null overwrites the inputs.</param>
    public static async Task<NotebookRunSummary> RunAsync(IEnumerable<string> paths, string profile, string? outDir, CancellationToken ct = default)
    {
        NotebookProfile.Validate(profile);
        var files = paths.ToList();
        foreach (var missing in files.Where(p => !File.Exists(p)))
            throw new FileNotFoundException($"notebook {missing} does not exist", missing);
        if (outDir is not null) Directory.CreateDirectory(outDir);
        var results = new List<NotebookRunResult>();
        foreach (var path in files)
        {
            // Every notebook starts from a clean autograd state: a notebook that failed inside `torch.no_grad()` (or
            // never disposed one) must not leave gradients off for the next.
            if (!TorchSharp.torch.is_grad_enabled()) TorchSharp.torch.set_grad_enabled(true);
            var sw = Stopwatch.StartNew();
            Notebook notebook;
            try { notebook = Ipynb.Read(path); }
            catch (InvalidDataException e)
            {
                results.Add(new NotebookRunResult(path, path, NotebookStatus.Failed, sw.Elapsed, null, e.Message));
                continue;
            }
            var notebookDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            var engine = new NotebookEngine(NotebookProfile.Choose(notebookDir, profile).Name, notebookDir);
            var (executed, failure) = await RunAsync(notebook, engine, ct);
            var output = outDir is null ? path : Path.Combine(outDir, Path.GetFileName(path));
            Ipynb.Write(output, executed);
            results.Add(new NotebookRunResult(path, output, failure is null ? NotebookStatus.Passed : NotebookStatus.Failed,
                sw.Elapsed, failure?.Cell, failure?.Error.Traceback.FirstOrDefault() ?? failure?.Error.EValue));
            // A notebook's cells leave many undisposed tensors: free them now, not on the finalizer thread during the
            // next notebook or, worse, during process exit (ClipUp.Runtime.NativeShutdown).
            ClipUp.Runtime.NativeShutdown.DrainFinalizers();
        }
        return new NotebookRunSummary(results);
    }

    /// <summary>A failing cell: its 1-based number among all cells and its error output.</summary>
    public sealed record Failure(int Cell, ErrorOutput Error);

    /// <summary>Runs one notebook in <paramref name="engine"/> and returns it with outputs; <c>Failure</c> is null when every cell passed.</summary>
    public static async Task<(Notebook Notebook, Failure? Failure)> RunAsync(Notebook notebook, NotebookEngine engine, CancellationToken ct = default)
    {
        var cells = notebook.Cells.ToList();
        Failure? failure = null;
        var count = 0;
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            if (cell.Kind != CellKind.Code) continue;
            if (failure is not null || string.IsNullOrWhiteSpace(cell.Source))
            {
                cells[i] = cell with { Outputs = [], ExecutionCount = null };
                continue;
            }
            var sink = new CollectingSink();
            var result = await engine.ExecuteAsync(cell.Source, new CellContext($"cell {i + 1}", ++count), sink, ct);
            cells[i] = cell with { Outputs = sink.Outputs, ExecutionCount = count };
            if (!result.Succeeded) failure = new Failure(i + 1, result.Error!);
        }
        return (NotebookMetadata.ForClipUp(notebook with { Cells = cells }), failure);
    }
}
