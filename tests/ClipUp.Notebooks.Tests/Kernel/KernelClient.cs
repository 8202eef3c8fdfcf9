using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;

namespace ClipUp.Notebooks.Tests.Kernel;

/// <summary>
/// A minimal Jupyter client for tests: starts clipup-kernel with a connection file on 127.0.0.1 and free ports, and
/// talks to it the way jupyter_client does (DEALER on shell and control, SUB on IOPub, signed messages).
/// </summary>
internal sealed class KernelClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly DealerSocket shell = new(), control = new();
    private readonly SubscriberSocket iopub = new();
    private readonly RequestSocket heartbeat = new();
    private readonly MessageSigner signer;
    private readonly string session = Guid.NewGuid().ToString("N");
    private readonly TestPaths.TempDir dir = TestPaths.NewTempDir();

    private readonly System.Text.StringBuilder stderr = new();

    public Process Process { get; }

    /// <summary>What the kernel wrote to stderr so far (for failure messages).</summary>
    public string Stderr { get { lock (stderr) return stderr.ToString(); } }

    public string Key { get; } = Guid.NewGuid().ToString();

    public KernelClient()
    {
        signer = new MessageSigner(Key);
        var ports = FreePorts(5);
        var connection = new JsonObject
        {
            ["transport"] = "tcp", ["ip"] = "127.0.0.1", ["shell_port"] = ports[0], ["iopub_port"] = ports[1], ["stdin_port"] = ports[2],
            ["control_port"] = ports[3], ["hb_port"] = ports[4], ["key"] = Key, ["signature_scheme"] = "hmac-sha256", ["kernel_name"] = "clipup-csharp",
        };
        var file = Path.Combine(dir.Path, "kernel-test.json");
        File.WriteAllText(file, connection.ToJsonString());
        var command = TestPaths.KernelHostCommand();
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = dir.Path };
        foreach (var a in command.Skip(1).Concat(["kernel", "run", "--connection-file", file])) start.ArgumentList.Add(a);
        start.Environment["CLIPUP_PROFILE"] = "smoke";
        Process = Process.Start(start) ?? throw new InvalidOperationException("could not start clipup-kernel");
        Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        Process.BeginErrorReadLine();
        Process.BeginOutputReadLine();
        shell.Connect($"tcp://127.0.0.1:{ports[0]}");
        iopub.Connect($"tcp://127.0.0.1:{ports[1]}");
        iopub.SubscribeToAnyTopic();
        control.Connect($"tcp://127.0.0.1:{ports[3]}");
        heartbeat.Connect($"tcp://127.0.0.1:{ports[4]}");
    }

    /// <summary>Sends bytes to the heartbeat socket and returns what comes back (the kernel echoes them).</summary>
    public byte[]? Ping(byte[] payload)
    {
        heartbeat.SendFrame(payload);
        return heartbeat.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out var echo) ? echo : null;
    }

    /// <summary>Sends kernel_info requests until one is answered and IOPub delivers, as jupyter_client's wait_for_ready does.</summary>
    public JupyterMessage WaitForReady()
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited) throw new InvalidOperationException($"clipup-kernel exited with {Process.ExitCode}");
            Send(shell, "kernel_info_request", []);
            if (TryReceive(shell, TimeSpan.FromSeconds(2)) is { MsgType: "kernel_info_reply" } reply
                && TryReceive(iopub, TimeSpan.FromSeconds(1)) is not null)
            {
                DrainIopub();
                return reply;
            }
        }
        throw new TimeoutException("clipup-kernel did not answer kernel_info_request");
    }

    /// <summary>
    /// Sends a request and returns the reply plus the IOPub messages up to the matching idle status. With
    /// <paramref name="readIopub"/> false only the reply is read, so another thread may be reading IOPub meanwhile.
    /// </summary>
    public (JupyterMessage Reply, List<JupyterMessage> Iopub) Request(string msgType, JsonObject content, bool onControl = false, bool readIopub = true)
    {
        var id = Send(onControl ? control : shell, msgType, content);
        var reply = ReceiveReply(onControl ? control : shell, id) ?? throw new TimeoutException($"no reply to {msgType}");
        var published = new List<JupyterMessage>();
        if (!readIopub) return (reply, published);
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var m = TryReceive(iopub, TimeSpan.FromSeconds(1));
            if (m is null || m.ParentHeader["msg_id"]?.GetValue<string>() != id) continue;
            published.Add(m);
            if (m.MsgType == "status" && m.Content["execution_state"]?.GetValue<string>() == "idle") return (reply, published);
        }
        throw new TimeoutException($"no idle status on IOPub after {msgType}; got {string.Join(", ", published.Select(m => m.MsgType))}");
    }

    /// <summary>Sends a shell request without waiting; <see cref="ReplyTo"/> gets its reply.</summary>
    public string SendShell(string msgType, JsonObject content) => Send(shell, msgType, content);

    public JupyterMessage ReplyTo(string id) => ReceiveReply(shell, id) ?? throw new TimeoutException($"no reply to {id}");

    /// <summary>Sends a message signed with a wrong key; the kernel must drop it.</summary>
    public void SendBadlySigned(string msgType, JsonObject content)
    {
        var message = new JupyterMessage([], JupyterMessage.NewHeader(msgType, session), [], [], content);
        shell.SendMultipartMessage(message.ToNetMQ(new MessageSigner("not-the-key")));
    }

    /// <summary>The reply to <paramref name="id"/>, skipping late replies to earlier requests (WaitForReady sends several).</summary>
    private JupyterMessage? ReceiveReply(NetMQSocket socket, string id)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
            if (TryReceive(socket, TimeSpan.FromSeconds(1)) is { } m && m.ParentHeader["msg_id"]?.GetValue<string>() == id)
                return m;
        return null;
    }

    public JupyterMessage? TryReceiveShell(TimeSpan timeout) => TryReceive(shell, timeout);

    private string Send(NetMQSocket socket, string msgType, JsonObject content)
    {
        var header = JupyterMessage.NewHeader(msgType, session);
        socket.SendMultipartMessage(new JupyterMessage([], header, [], [], content).ToNetMQ(signer));
        return header["msg_id"]!.GetValue<string>();
    }

    private JupyterMessage? TryReceive(NetMQSocket socket, TimeSpan timeout)
    {
        var message = new NetMQMessage();
        return socket.TryReceiveMultipartMessage(timeout, ref message) ? JupyterMessage.Parse(message, signer) : null;
    }

    private void DrainIopub()
    {
        while (TryReceive(iopub, TimeSpan.FromMilliseconds(300)) is not null) { }
    }

    private static int[] FreePorts(int n)
    {
        var listeners = Enumerable.Range(0, n).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    public void Dispose()
    {
        shell.Dispose();
        control.Dispose();
        iopub.Dispose();
        heartbeat.Dispose();
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(5000);
        }
        Process.Dispose();
        dir.Dispose();
    }
}
