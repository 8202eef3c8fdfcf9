using System.Text.Json.Nodes;

namespace ClipUp.Notebooks;

public sealed partial class JupyterKernel
{
    private int executionCount;

    /// <summary>Handles one shell request; true when a failed execution asks to abort the queued ones (stop_on_error).</summary>
    private async Task<bool> HandleShellAsync(JupyterMessage request)
    {
        var content = request.Content;
        switch (request.MsgType)
        {
            case "kernel_info_request":
                Reply(shell, request, "kernel_info_reply", KernelRequests.KernelInfo());
                break;
            case "execute_request":
                return await ExecuteAsync(request);
            case "is_complete_request":
                Reply(shell, request, "is_complete_reply", KernelRequests.IsComplete(content["code"]?.GetValue<string>() ?? ""));
                break;
            case "complete_request":
            {
                var code = content["code"]?.GetValue<string>() ?? "";
                var cursor = KernelRequests.ToUtf16(code, content["cursor_pos"]?.GetValue<int>() ?? code.Length);
                var result = await Intelligence.CompleteAsync(code, cursor);
                Reply(shell, request, "complete_reply", new JsonObject
                {
                    ["status"] = "ok",
                    ["matches"] = new JsonArray(result.Matches.Select(m => (JsonNode?)m).ToArray()),
                    ["cursor_start"] = KernelRequests.ToCodePoints(code, result.Start),
                    ["cursor_end"] = KernelRequests.ToCodePoints(code, result.End),
                    ["metadata"] = new JsonObject(),
                });
                break;
            }
            case "inspect_request":
            {
                var code = content["code"]?.GetValue<string>() ?? "";
                var cursor = KernelRequests.ToUtf16(code, content["cursor_pos"]?.GetValue<int>() ?? code.Length);
                var text = await Intelligence.InspectAsync(code, cursor);
                Reply(shell, request, "inspect_reply", new JsonObject
                {
                    ["status"] = "ok",
                    ["found"] = text is not null,
                    ["data"] = text is null ? new JsonObject() : new JsonObject { [Mime.Plain] = text },
                    ["metadata"] = new JsonObject(),
                });
                break;
            }
            case "comm_info_request":
                Reply(shell, request, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                break;
            case "history_request":
                Reply(shell, request, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() });
                break;
            case "shutdown_request":
                Reply(shell, request, "shutdown_reply", ShutdownContent(request));
                break; // ProcessShellAsync stops after the idle status
            case "comm_open" or "comm_msg" or "comm_close":
                break; // no comm targets: nothing to answer (the protocol expects no reply)
            default:
                log.WriteLine($"clipup kernel: shell message {request.MsgType} is not supported");
                break;
        }
        return false;
    }

    /// <summary>The reply to an execute_request that was queued behind a failed cell ("Run All" stops there, as in ipykernel).</summary>
    private void Abort(JupyterMessage request) =>
        Reply(shell, request, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = executionCount });

    private async Task<bool> ExecuteAsync(JupyterMessage request)
    {
        var code = request.Content["code"]?.GetValue<string>() ?? "";
        var silent = request.Content["silent"]?.GetValue<bool>() ?? false;
        var store = !silent && (request.Content["store_history"]?.GetValue<bool>() ?? true);
        if (store) executionCount++;
        var count = executionCount;
        if (!silent)
            Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, request);
        var cts = BeginExecution();
        CellRunResult result;
        try
        {
            var sink = new IopubSink(this, request, silent);
            result = await Engine.ExecuteAsync(code, new CellContext($"In [{count}]", count), sink, cts.Token);
        }
        finally { EndExecution(cts); }
        var reply = new JsonObject { ["execution_count"] = count };
        if (result.Succeeded)
        {
            reply["status"] = "ok";
            reply["user_expressions"] = new JsonObject();
            reply["payload"] = new JsonArray();
        }
        else
        {
            var error = result.Error!;
            reply["status"] = "error";
            reply["ename"] = error.EName;
            reply["evalue"] = error.EValue;
            reply["traceback"] = new JsonArray(error.Traceback.Select(l => (JsonNode?)l).ToArray());
        }
        Reply(shell, request, "execute_reply", reply);
        return !result.Succeeded && (request.Content["stop_on_error"]?.GetValue<bool>() ?? true);
    }

    /// <summary>Publishes a cell's outputs on IOPub as stream, display_data, execute_result and error messages.</summary>
    private sealed class IopubSink(JupyterKernel kernel, JupyterMessage parent, bool silent) : ICellOutputSink
    {
        public void Emit(CellOutput output)
        {
            if (silent) return;
            var (type, content) = KernelRequests.OutputMessage(output);
            kernel.Publish(type, content, parent);
        }
    }
}
