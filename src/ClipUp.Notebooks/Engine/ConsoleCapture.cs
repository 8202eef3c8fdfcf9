using System.Text;

namespace ClipUp.Notebooks;

/// <summary>
/// Sends <c>Console.Out</c>/<c>Console.Error</c> writes to the cell that is running in the current async flow, as
/// <c>stdout</c>/<c>stderr</c> stream outputs. Console is process-wide, so the routing writers are installed once and
/// find their cell through an <see cref="AsyncLocal{T}"/>; writes from outside any cell go to the original console.
/// Text is buffered and emitted at line ends, before each display output and when the cell ends.
/// </summary>
internal static class ConsoleCapture
{
    private static readonly AsyncLocal<CellStreams?> current = new();
    private static readonly Lock gate = new();
    private static bool installed;

    public static void Install()
    {
        lock (gate)
        {
            if (installed) return;
            Console.SetOut(new RoutingWriter(Console.Out, "stdout"));
            Console.SetError(new RoutingWriter(Console.Error, "stderr"));
            installed = true;
        }
    }

    /// <summary>Routes console output of this async flow (and tasks it starts) to <paramref name="streams"/>.</summary>
    public static void Attach(CellStreams? streams) => current.Value = streams;

    /// <summary>The outputs of the cell running in this async flow, if any.</summary>
    public static CellStreams? Current => current.Value;

    private sealed class RoutingWriter(TextWriter fallback, string name) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => Target(value.ToString());
        public override void Write(string? value) { if (!string.IsNullOrEmpty(value)) Target(value); }
        public override void Write(char[] buffer, int index, int count) => Target(new string(buffer, index, count));
        public override void WriteLine(string? value) => Target((value ?? "") + "\n");
        public override void WriteLine() => Target("\n");
        public override void Flush() { if (current.Value is null) fallback.Flush(); }

        private void Target(string text)
        {
            if (current.Value is { } streams) streams.Write(name, text);
            else fallback.Write(text);
        }
    }
}

/// <summary>
/// The outputs of one running cell: stdout/stderr buffers and display outputs, in order. Closed when the cell ends
/// (or is interrupted), after which code still running from it can no longer write into a later cell's outputs.
/// </summary>
internal sealed class CellStreams(ICellOutputSink sink, CancellationToken cancellation)
{
    /// <summary>The token of this cell; code left running after an interrupt keeps seeing it cancelled.</summary>
    public CancellationToken Cancellation => cancellation;

    private readonly Lock gate = new();
    private readonly StringBuilder buffer = new();
    private string? bufferName;
    private bool closed;

    public void Emit(CellOutput output)
    {
        lock (gate)
        {
            if (closed) return;
            FlushLocked();
            sink.Emit(output);
        }
    }

    /// <summary>Flushes buffered text and drops anything written afterwards.</summary>
    public void Close()
    {
        lock (gate)
        {
            FlushLocked();
            closed = true;
        }
    }

    public void Write(string name, string text)
    {
        lock (gate)
        {
            if (closed) return;
            if (bufferName != name) FlushLocked();
            bufferName = name;
            buffer.Append(text);
            // Emit whole lines as they complete, so a long-running cell shows progress in the kernel.
            var lastNewline = text.LastIndexOf('\n');
            if (lastNewline >= 0) FlushLocked();
        }
    }

    private void FlushLocked()
    {
        if (buffer.Length > 0 && bufferName is not null) sink.Emit(new StreamOutput(bufferName, buffer.ToString()));
        buffer.Clear();
    }
}
