using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using NetMQ;
using NetMQ.Sockets;

namespace ClipUp.Notebooks;

/// <summary>
/// ClipUp's Jupyter kernel: the Jupyter messaging protocol 5.3 over ZeroMQ (NetMQ) in front of a
/// <see cref="NotebookEngine"/>. One poller thread owns the sockets (heartbeat echo, shell, control, stdin, IOPub);
/// shell requests run one at a time on a worker so that control requests (interrupt, shutdown) are answered while a
/// cell runs. Every request is bracketed by busy/idle status messages on IOPub, which clients such as nbclient wait for.
/// The shell requests are in <c>JupyterKernel.Shell.cs</c>, their pure parts in <see cref="KernelRequests"/>.
/// </summary>
public sealed partial class JupyterKernel
{
    private readonly ConnectionInfo connection;
    private readonly MessageSigner signer;
    private readonly string session = Guid.NewGuid().ToString("N");
    private readonly TextWriter log;
    private readonly NetMQQueue<Action> outbox = new();
    private readonly Channel<JupyterMessage> shellRequests = Channel.CreateUnbounded<JupyterMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock executionGate = new();
    private CancellationTokenSource? execution;
    private RouterSocket shell = null!, control = null!, stdin = null!;
    private PublisherSocket iopub = null!;
    private ResponseSocket heartbeat = null!;
    private NetMQPoller poller = null!;

    private JupyterKernel(ConnectionInfo connection, NotebookEngine engine, TextWriter log)
    {
        this.connection = connection;
        signer = new MessageSigner(connection.Key);
        Engine = engine;
        Intelligence = new CodeIntelligence(engine);
        this.log = log;
    }

    internal NotebookEngine Engine { get; }

    internal CodeIntelligence Intelligence { get; }

    /// <summary>
    /// Runs a kernel for the connection file until a shutdown request or <paramref name="ct"/>. Cells see
    /// <c>Profile</c> as <see cref="NotebookProfile.Choose"/> picks it (<c>CLIPUP_PROFILE</c> when its results are
    /// committed, else smoke) and <c>NotebookDir</c>
    /// from <c>JPY_SESSION_NAME</c> (the notebook path front ends pass) or else the working folder.
    /// </summary>
    public static async Task RunAsync(string connectionFilePath, CancellationToken ct = default)
    {
        var connection = ConnectionInfo.Read(connectionFilePath);
        var log = Console.Error; // before the engine routes Console.Error into cells
        var sessionName = Environment.GetEnvironmentVariable("JPY_SESSION_NAME");
        var notebookDir = sessionName is { Length: > 0 } && File.Exists(sessionName)
            ? Path.GetDirectoryName(Path.GetFullPath(sessionName))! : Environment.CurrentDirectory;
        var kernel = new JupyterKernel(connection, new NotebookEngine(NotebookProfile.Choose(notebookDir).Name, notebookDir), log);
        await kernel.RunAsync(ct);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using (shell = new RouterSocket())
        using (control = new RouterSocket())
        using (stdin = new RouterSocket())
        using (iopub = new PublisherSocket())
        using (heartbeat = new ResponseSocket())
        using (poller = new NetMQPoller { shell, control, stdin, heartbeat, outbox })
        {
            foreach (var s in new NetMQSocket[] { shell, control, stdin, iopub, heartbeat })
                s.Options.Linger = TimeSpan.FromSeconds(2); // lets the last replies leave after shutdown
            shell.Bind(connection.Address(connection.ShellPort));
            control.Bind(connection.Address(connection.ControlPort));
            stdin.Bind(connection.Address(connection.StdinPort));
            iopub.Bind(connection.Address(connection.IopubPort));
            heartbeat.Bind(connection.Address(connection.HbPort));
            heartbeat.ReceiveReady += (_, e) => e.Socket.SendMultipartMessage(e.Socket.ReceiveMultipartMessage());
            stdin.ReceiveReady += (_, e) => e.Socket.ReceiveMultipartMessage(); // input_request is not supported
            shell.ReceiveReady += (_, e) => { if (Receive(e.Socket) is { } m) shellRequests.Writer.TryWrite(m); };
            control.ReceiveReady += (_, e) => { if (Receive(e.Socket) is { } m) HandleControl(m); };
            outbox.ReceiveReady += (_, e) => { while (e.Queue.TryDequeue(out var send, TimeSpan.Zero)) send(); };

            var pollerThread = new Thread(poller.Run) { IsBackground = true, Name = "jupyter-sockets" };
            pollerThread.Start();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Interrupt(); });
            using var stopOnCancel = ct.Register(Stop);
            Publish("status", new JsonObject { ["execution_state"] = "starting" }, parent: null);
            var worker = Task.Run(ProcessShellAsync, CancellationToken.None);
            await stopped.Task;
            shellRequests.Writer.TryComplete();
            Interrupt();
            await Task.WhenAny(worker, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
            pollerThread.Join(TimeSpan.FromSeconds(5));
        }
    }

    private JupyterMessage? Receive(NetMQSocket socket)
    {
        var frames = socket.ReceiveMultipartMessage();
        try { return JupyterMessage.Parse(frames, signer); }
        catch (InvalidDataException e)
        {
            log.WriteLine($"clipup kernel: dropped a message: {e.Message}");
            return null;
        }
    }

    private async Task ProcessShellAsync()
    {
        var pending = new Queue<JupyterMessage>();
        while (pending.Count > 0 || await shellRequests.Reader.WaitToReadAsync())
        {
            if (!pending.TryDequeue(out var request) && !shellRequests.Reader.TryRead(out request)) continue;
            Publish("status", new JsonObject { ["execution_state"] = "busy" }, request);
            var abort = false;
            try { abort = await HandleShellAsync(request); }
            catch (Exception e) { log.WriteLine($"clipup kernel: {request.MsgType} failed: {e}"); }
            Publish("status", new JsonObject { ["execution_state"] = "idle" }, request);
            if (request.MsgType == "shutdown_request") Stop();
            if (!abort) continue;
            // Executions already queued behind the failed one are answered "aborted"; other requests still run.
            while (shellRequests.Reader.TryRead(out var queued))
            {
                if (queued.MsgType != "execute_request") { pending.Enqueue(queued); continue; }
                Publish("status", new JsonObject { ["execution_state"] = "busy" }, queued);
                Abort(queued);
                Publish("status", new JsonObject { ["execution_state"] = "idle" }, queued);
            }
        }
    }

    private void HandleControl(JupyterMessage request)
    {
        Publish("status", new JsonObject { ["execution_state"] = "busy" }, request);
        switch (request.MsgType)
        {
            case "interrupt_request":
                Interrupt();
                Reply(control, request, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                break;
            case "shutdown_request":
                Reply(control, request, "shutdown_reply", ShutdownContent(request));
                break;
            case "kernel_info_request":
                Reply(control, request, "kernel_info_reply", KernelRequests.KernelInfo());
                break;
            default:
                log.WriteLine($"clipup kernel: control message {request.MsgType} is not supported");
                break;
        }
        Publish("status", new JsonObject { ["execution_state"] = "idle" }, request);
        if (request.MsgType == "shutdown_request") Stop();
    }

    private JsonObject ShutdownContent(JupyterMessage request) =>
        new() { ["status"] = "ok", ["restart"] = request.Content["restart"]?.GetValue<bool>() ?? false };

    /// <summary>Cancels the running cell, if any (its <c>CancellationToken</c> fires and the cell is abandoned).</summary>
    private void Interrupt()
    {
        lock (executionGate) execution?.Cancel();
    }

    /// <summary>Stops after everything queued so far has been sent.</summary>
    private void Stop() => outbox.Enqueue(() =>
    {
        poller.StopAsync();
        stopped.TrySetResult();
    });

    /// <summary>A cancellation source for one execution, cancelled by <see cref="Interrupt"/>.</summary>
    private CancellationTokenSource BeginExecution()
    {
        lock (executionGate) return execution = new CancellationTokenSource();
    }

    private void EndExecution(CancellationTokenSource cts)
    {
        lock (executionGate) if (execution == cts) execution = null;
        cts.Dispose();
    }

    internal void Reply(RouterSocket socket, JupyterMessage request, string msgType, JsonObject content)
    {
        var reply = new JupyterMessage(request.Identities, JupyterMessage.NewHeader(msgType, session), request.Header, [], content);
        Send(socket, reply);
    }

    internal void Publish(string msgType, JsonObject content, JupyterMessage? parent)
    {
        var message = new JupyterMessage([System.Text.Encoding.UTF8.GetBytes(msgType)], JupyterMessage.NewHeader(msgType, session),
            parent?.Header ?? [], [], content);
        Send(iopub, message);
    }

    private void Send(NetMQSocket socket, JupyterMessage message)
    {
        var frames = message.ToNetMQ(signer);
        outbox.Enqueue(() => socket.SendMultipartMessage(frames));
    }
}
