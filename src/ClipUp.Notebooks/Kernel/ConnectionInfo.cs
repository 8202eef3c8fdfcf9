using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClipUp.Notebooks;

/// <summary>
/// A Jupyter connection file: where the kernel binds its five sockets and the key that signs every message
/// (https://jupyter-client.readthedocs.io/en/stable/kernels.html#connection-files).
/// </summary>
public sealed record ConnectionInfo(
    [property: JsonPropertyName("transport")] string Transport,
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("shell_port")] int ShellPort,
    [property: JsonPropertyName("iopub_port")] int IopubPort,
    [property: JsonPropertyName("stdin_port")] int StdinPort,
    [property: JsonPropertyName("control_port")] int ControlPort,
    [property: JsonPropertyName("hb_port")] int HbPort,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("signature_scheme")] string SignatureScheme)
{
    public static ConnectionInfo Read(string path)
    {
        var info = JsonSerializer.Deserialize<ConnectionInfo>(File.ReadAllText(path))
                   ?? throw new InvalidDataException($"connection file {path} is empty");
        info.Validate(path);
        return info;
    }

    public void Validate(string source)
    {
        if (Transport is not ("tcp" or "ipc"))
            throw new InvalidDataException($"{source}: transport '{Transport}' is not supported: use tcp or ipc");
        if (SignatureScheme != "hmac-sha256" && !string.IsNullOrEmpty(Key))
            throw new InvalidDataException($"{source}: signature_scheme '{SignatureScheme}' is not supported: use hmac-sha256");
        if (string.IsNullOrEmpty(Ip))
            throw new InvalidDataException($"{source}: ip is empty");
    }

    /// <summary>The ZeroMQ address of a port (ipc uses Jupyter's "ip-port" file naming).</summary>
    public string Address(int port) => Transport == "ipc" ? $"ipc://{Ip}-{port}" : $"tcp://{Ip}:{port}";
}
