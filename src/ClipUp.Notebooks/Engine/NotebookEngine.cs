using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace ClipUp.Notebooks;

/// <summary>Where a cell comes from: <paramref name="Label"/> names it in errors ("cell 3", "In [5]").</summary>
public sealed record CellContext(string Label, int ExecutionCount);

/// <summary>How a cell ended. <paramref name="Error"/> is set when <paramref name="Succeeded"/> is false.</summary>
public sealed record CellRunResult(bool Succeeded, ErrorOutput? Error, bool Cancelled = false);

/// <summary>
/// Runs notebook cells in order in one Roslyn script state, so each cell sees the variables, types and usings of the
/// cells before it (<c>CSharpScript.RunAsync</c>, then <c>ScriptState.ContinueWithAsync</c>). Outputs go to an
/// <see cref="ICellOutputSink"/>: console text as streams, <c>display(x)</c> as display data, the value of a final
/// expression as the execute result, and failures as one error output naming the cell and the line within it.
/// One cell runs at a time. An interrupted cell is abandoned, not killed (.NET cannot abort a thread): its later
/// outputs and its script state are discarded, and code that ignores <c>CancellationToken</c> runs on until it ends.
/// </summary>
public sealed class NotebookEngine
{
    private readonly SemaphoreSlim running = new(1, 1);
    private readonly NotebookGlobals globals;
    private ScriptState<object>? state;
    private System.Collections.Immutable.ImmutableList<string> history = [];
    private int generation;

    // Autograd's on/off switch is thread-local in libtorch, and cells run on thread-pool threads: each cell starts with
    // the switch as the previous cell of this notebook left it (on for the first), not as some other notebook left
    // that thread.
    private bool gradEnabled = true;

    /// <param name="profile">The profile cells see as <c>Profile</c> (smoke, full, ...; <see cref="NotebookProfile.Choose"/> picks it).</param>
    /// <param name="notebookDir">Exposed as <c>NotebookDir</c>; also the base folder of <c>#r</c> and <c>#load</c> paths.</param>
    public NotebookEngine(string profile, string notebookDir)
    {
        NotebookProfile.Validate(profile);
        NotebookDir = Path.GetFullPath(notebookDir);
        globals = new NotebookGlobals(this, profile, NotebookDir);
        ConsoleCapture.Install();
    }

    public string NotebookDir { get; }

    public Display Formatters { get; } = Display.CreateDefault();

    /// <summary>The code of the cells that compiled, in order (directives removed); code completion compiles against it.</summary>
    internal IReadOnlyList<string> History => history;

    internal static ScriptEnvironment Environment => ScriptEnvironment.Shared;

    /// <summary>Runs one cell. Failures of the cell become an error output (also returned); this method throws only if <paramref name="ct"/> is cancelled before the cell starts.</summary>
    public async Task<CellRunResult> ExecuteAsync(string code, CellContext cell, ICellOutputSink output, CancellationToken ct = default)
    {
        await running.WaitAsync(ct);
        var streams = new CellStreams(output, ct);
        try
        {
            var gen = generation;
            CellRunResult result;
            try
            {
                result = await Task.Run(() => RunCellAsync(code, cell, streams, gen, ct), CancellationToken.None).WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref generation);
                result = new CellRunResult(false, ErrorReport.Interrupted(cell.Label), Cancelled: true);
            }
            if (result.Error is not null) streams.Emit(result.Error);
            return result;
        }
        finally
        {
            streams.Close();
            running.Release();
        }
    }

    private async Task<CellRunResult> RunCellAsync(string code, CellContext cell, CellStreams streams, int gen, CancellationToken ct)
    {
        ConsoleCapture.Attach(streams);
        if (TorchSharp.torch.is_grad_enabled() != gradEnabled) TorchSharp.torch.set_grad_enabled(gradEnabled);
        try
        {
            var env = Environment;
            var current = state ?? await CSharpScript.RunAsync(env.Prelude, env.Options("prelude.csx", NotebookDir), globals, typeof(NotebookGlobals), ct);
            if (gen == generation) state = current;
            var prepared = CellDirectives.Apply(code);
            if (prepared.Error is not null)
                return new CellRunResult(false, ErrorReport.Directive(cell.Label, prepared.Error));
            ScriptState<object> next;
            try
            {
                next = await current.ContinueWithAsync(prepared.Code, env.Options(ErrorReport.FileName(cell.Label), NotebookDir), catchException: _ => true, ct);
            }
            catch (CompilationErrorException e)
            {
                return new CellRunResult(false, ErrorReport.Compilation(cell.Label, e.Diagnostics));
            }
            // Variables assigned before an exception are kept, as in Jupyter; an abandoned (interrupted) cell's are not.
            if (gen == generation)
            {
                state = next;
                history = history.Add(prepared.Code);
            }
            if (next.Exception is { } ex)
                return new CellRunResult(false, ErrorReport.Exception(cell.Label, ex));
            // Only a final expression without a semicolon has a value (a null one shows nothing, like Python's None).
            if (next.ReturnValue is { } value)
                streams.Emit(new ExecuteResultOutput(cell.ExecutionCount, Formatters.Format(value), []));
            return new CellRunResult(true, null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new CellRunResult(false, ErrorReport.Interrupted(cell.Label), Cancelled: true);
        }
        catch (Exception e)
        {
            // Formatting the result failed, or the prelude did: still an error of this cell, never a crash of the run.
            return new CellRunResult(false, ErrorReport.Exception(cell.Label, e));
        }
        finally
        {
            if (gen == generation) gradEnabled = TorchSharp.torch.is_grad_enabled();
            ConsoleCapture.Attach(null);
        }
    }

    internal void DisplayValue(object? value)
    {
        var streams = ConsoleCapture.Current ?? throw new InvalidOperationException("display() was called outside a running cell");
        streams.Emit(new DisplayDataOutput(Formatters.Format(value), []));
    }
}
