using System.Text.Json.Nodes;

namespace ClipUp.Notebooks;

/// <summary>
/// Installs the Jupyter kernelspec (<c>kernels/clipup-csharp/kernel.json</c>) that makes Jupyter, VS Code and nbclient
/// start ClipUp's kernel as <c>&lt;launcher&gt; kernel run --connection-file {connection_file}</c>
/// (https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs).
/// </summary>
public static class KernelSpec
{
    /// <summary>The user's kernels folder: <c>$JUPYTER_DATA_DIR/kernels</c>, else the platform default (~/.local/share/jupyter/kernels on Linux).</summary>
    public static string UserKernelsDir()
    {
        if (Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } data) return Path.Combine(data, "kernels");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter", "kernels");
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Jupyter", "kernels");
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } x ? x : Path.Combine(home, ".local", "share");
        return Path.Combine(xdg, "jupyter", "kernels");
    }

    /// <summary>The kernels folder of an environment prefix: <c>P/share/jupyter/kernels</c> (what <c>--prefix P</c> means to Jupyter).</summary>
    public static string PrefixKernelsDir(string prefix) => Path.Combine(Path.GetFullPath(prefix), "share", "jupyter", "kernels");

    /// <summary>The kernel.json content for a launcher command (e.g. <c>["/opt/clipup/clipup"]</c> or <c>["dotnet", "/opt/clipup/clipup.dll"]</c>).</summary>
    public static JsonObject KernelJson(IReadOnlyList<string> launcherCommand)
    {
        if (launcherCommand.Count == 0) throw new ArgumentException("the launcher command is empty: give the path of clipup", nameof(launcherCommand));
        string[] argv = [.. launcherCommand, "kernel", "run", "--connection-file", "{connection_file}"];
        return new JsonObject
        {
            ["argv"] = new JsonArray(argv.Select(a => (JsonNode?)a).ToArray()),
            ["display_name"] = NotebookMetadata.DisplayName,
            ["language"] = NotebookMetadata.Language,
            // Interrupts arrive as interrupt_request on the control channel, not as SIGINT.
            ["interrupt_mode"] = "message",
            // Rare collections: see ClipUp.Runtime.Scalars (TorchSharp frees Scalars in finalizers).
            ["env"] = new JsonObject { [ClipUp.Runtime.Scalars.Gen0BudgetVariable] = ClipUp.Runtime.Scalars.Gen0Budget },
        };
    }

    /// <summary>Writes <c>&lt;kernelsDir&gt;/clipup-csharp/kernel.json</c> and returns its path.</summary>
    public static string Install(string kernelsDir, IReadOnlyList<string> launcherCommand)
    {
        var dir = Path.Combine(kernelsDir, NotebookMetadata.KernelName);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "kernel.json");
        File.WriteAllText(path, JupyterJson.Serialize(KernelJson(launcherCommand)));
        return path;
    }

    /// <summary>
    /// The command that starts the current program again: its executable, or <c>dotnet &lt;entry dll&gt;</c> when it
    /// runs under the dotnet host.
    /// </summary>
    public static IReadOnlyList<string> CurrentProcessLauncher()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the current process has no executable path");
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 } ? [process, entry] : [process];
    }
}
