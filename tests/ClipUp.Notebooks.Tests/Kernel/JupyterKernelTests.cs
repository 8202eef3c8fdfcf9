using System.Text.Json.Nodes;

namespace ClipUp.Notebooks.Tests.Kernel;

/// <summary>The kernel as a separate process (clipup-kernel), driven over ZeroMQ by a C# Jupyter client.</summary>
public class JupyterKernelTests
{
    [Fact]
    public void TheKernelAnswersInfoExecutesCompletesAndShutsDown()
    {
        using var kernel = new KernelClient();

        var info = kernel.WaitForReady();
        Assert.Equal("5.3", info.Content["protocol_version"]!.GetValue<string>());
        Assert.Equal("C#", info.Content["language_info"]!["name"]!.GetValue<string>());

        // execute: busy, execute_input, execute_result "2", idle on IOPub; execute_reply ok on shell.
        var (reply, iopub) = kernel.Request("execute_request", Execute("1+1"));
        Assert.Equal(("execute_reply", "ok", 1), (reply.MsgType, reply.Content["status"]!.GetValue<string>(), reply.Content["execution_count"]!.GetValue<int>()));
        Assert.Equal(["status", "execute_input", "execute_result", "status"], iopub.Select(m => m.MsgType));
        Assert.Equal("busy", iopub[0].Content["execution_state"]!.GetValue<string>());
        Assert.Equal("2", iopub[2].Content["data"]!["text/plain"]!.GetValue<string>());
        Assert.Equal(1, iopub[2].Content["execution_count"]!.GetValue<int>());

        // state persists, console output streams, and an exception is an error naming the cell.
        kernel.Request("execute_request", Execute("var answer = 41;"));
        (reply, iopub) = kernel.Request("execute_request", Execute("Console.WriteLine(answer + 1);\nthrow new InvalidOperationException(\"boom\");"));
        Assert.Equal("error", reply.Content["status"]!.GetValue<string>());
        Assert.Equal("InvalidOperationException", reply.Content["ename"]!.GetValue<string>());
        var stream = iopub.Single(m => m.MsgType == "stream").Content;
        Assert.Equal(("stdout", "42\n"), (stream["name"]!.GetValue<string>(), stream["text"]!.GetValue<string>()));
        Assert.Equal("In [3] (line 2): InvalidOperationException: boom", iopub.Single(m => m.MsgType == "error").Content["traceback"]![0]!.GetValue<string>());

        // completion of a ClipUp type's members; the cursor is in code points.
        (reply, _) = kernel.Request("complete_request", new JsonObject { ["code"] = "var n = ClipUp.Info.Na", ["cursor_pos"] = 22 });
        Assert.Equal(["Name"], reply.Content["matches"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal((20, 22), (reply.Content["cursor_start"]!.GetValue<int>(), reply.Content["cursor_end"]!.GetValue<int>()));
        (reply, _) = kernel.Request("complete_request", new JsonObject { ["code"] = "answ", ["cursor_pos"] = 4 });
        Assert.Contains("answer", reply.Content["matches"]!.AsArray().Select(m => m!.GetValue<string>()));

        (reply, _) = kernel.Request("inspect_request", new JsonObject { ["code"] = "ClipUp.Info.Name", ["cursor_pos"] = 16, ["detail_level"] = 0 });
        Assert.Equal("string ClipUp.Info.Name = \"ClipUp\"", reply.Content["data"]!["text/plain"]!.GetValue<string>());
        (reply, _) = kernel.Request("is_complete_request", new JsonObject { ["code"] = "if (true) {" });
        Assert.Equal("incomplete", reply.Content["status"]!.GetValue<string>());

        Assert.Equal("ping"u8.ToArray(), kernel.Ping("ping"u8.ToArray()));
        (reply, _) = kernel.Request("comm_info_request", []);
        Assert.Empty(reply.Content["comms"]!.AsObject());

        // a message signed with another key is dropped without a reply.
        kernel.SendBadlySigned("kernel_info_request", []);
        Assert.Null(kernel.TryReceiveShell(TimeSpan.FromSeconds(1)));

        (reply, _) = kernel.Request("shutdown_request", new JsonObject { ["restart"] = false }, onControl: true);
        Assert.Equal("shutdown_reply", reply.MsgType);
        Assert.True(kernel.Process.WaitForExit(15_000), "the kernel did not exit after shutdown_request");
        Assert.True(kernel.Process.ExitCode == 0, $"exit code {kernel.Process.ExitCode}, stderr:\n{kernel.Stderr}");
    }

    [Fact]
    public async Task AnInterruptStopsARunningCellAndAFailureAbortsTheCellsQueuedBehindIt()
    {
        using var kernel = new KernelClient();
        kernel.WaitForReady();

        var running = Task.Run(() => kernel.Request("execute_request",
            Execute("while (!CancellationToken.IsCancellationRequested) Thread.Sleep(20);")), TestContext.Current.CancellationToken);
        await Task.Delay(3000, TestContext.Current.CancellationToken);
        var (interrupt, _) = kernel.Request("interrupt_request", [], onControl: true, readIopub: false);
        var (reply, _) = await running;

        Assert.Equal("interrupt_reply", interrupt.MsgType);
        Assert.Equal("error", reply.Content["status"]!.GetValue<string>());
        Assert.Equal("OperationCanceledException", reply.Content["ename"]!.GetValue<string>());
        (reply, _) = kernel.Request("execute_request", Execute("2*3"));
        Assert.Equal("ok", reply.Content["status"]!.GetValue<string>());

        // "Run All": a cell that fails aborts the executions already queued behind it (stop_on_error), as ipykernel does.
        kernel.Request("execute_request", Execute("var runs = 0;"));
        var failing = kernel.SendShell("execute_request", Execute("Thread.Sleep(500);\nthrow new Exception(\"first\");"));
        var queued = kernel.SendShell("execute_request", Execute("runs++;"));
        Assert.Equal("error", kernel.ReplyTo(failing).Content["status"]!.GetValue<string>());
        Assert.Equal("aborted", kernel.ReplyTo(queued).Content["status"]!.GetValue<string>());
        var (_, iopub) = kernel.Request("execute_request", Execute("runs"));
        Assert.Equal("0", iopub.Single(m => m.MsgType == "execute_result").Content["data"]!["text/plain"]!.GetValue<string>());
        // shutdown also works on the shell channel (older clients send it there).
        var (shutdown, _) = kernel.Request("shutdown_request", []);
        Assert.Equal("shutdown_reply", shutdown.MsgType);
        Assert.True(kernel.Process.WaitForExit(15_000), $"the kernel did not exit; stderr:\n{kernel.Stderr}");
    }

    private static JsonObject Execute(string code) => new()
    {
        ["code"] = code, ["silent"] = false, ["store_history"] = true, ["user_expressions"] = new JsonObject(), ["allow_stdin"] = false, ["stop_on_error"] = true,
    };
}
