namespace ClipUp.Notebooks;

/// <summary>
/// The members every notebook cell sees as globals: <c>display(x)</c>, the run <c>Profile</c>, <c>NotebookDir</c>,
/// the cell's <c>CancellationToken</c> (cancelled by a kernel interrupt; long loops should check it) and the
/// <c>Formatters</c> registry.
/// </summary>
public sealed class NotebookGlobals
{
    private readonly NotebookEngine engine;

    internal NotebookGlobals(NotebookEngine engine, string profile, string notebookDir)
    {
        this.engine = engine;
        Profile = profile;
        NotebookDir = notebookDir;
    }

    /// <summary><c>smoke</c> (a few steps, for CI) or <c>full</c>; notebooks size their runs with it.</summary>
    public string Profile { get; }

    /// <summary>The folder of the notebook file; relative data paths should be resolved against it.</summary>
    public string NotebookDir { get; }

    /// <summary>Cancelled when the user interrupts the running cell.</summary>
    public CancellationToken CancellationToken => ConsoleCapture.Current?.Cancellation ?? CancellationToken.None;

    /// <summary>How values become outputs; <c>Formatters.Register&lt;T&gt;(...)</c> adds a formatter.</summary>
    public Display Formatters => engine.Formatters;

    /// <summary>Shows <paramref name="value"/> as an output of the running cell, formatted by <see cref="Formatters"/>.</summary>
    public void display(object? value) => engine.DisplayValue(value);
}
