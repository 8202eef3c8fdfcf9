using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NetMQ;

namespace ClipUp.Notebooks;

/// <summary>
/// A Jupyter message (protocol 5.3): routing identities, then <c>&lt;IDS|MSG&gt;</c>, the HMAC signature, and four JSON
/// frames, header, parent header, metadata and content (https://jupyter-client.readthedocs.io/en/stable/messaging.html).
/// </summary>
public sealed record JupyterMessage(IReadOnlyList<byte[]> Identities, JsonObject Header, JsonObject ParentHeader, JsonObject Metadata, JsonObject Content)
{
    public const string Delimiter = "<IDS|MSG>";
    public const string ProtocolVersion = "5.3";

    public string MsgType => Header["msg_type"]?.GetValue<string>() ?? "";

    /// <summary>A new header for a message of <paramref name="msgType"/> in <paramref name="session"/>.</summary>
    public static JsonObject NewHeader(string msgType, string session) => new()
    {
        ["msg_id"] = Guid.NewGuid().ToString("N"),
        ["session"] = session,
        ["username"] = "clipup",
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        ["msg_type"] = msgType,
        ["version"] = ProtocolVersion,
    };

    /// <summary>The frames to send, signed with <paramref name="signer"/>.</summary>
    public NetMQMessage ToNetMQ(MessageSigner signer)
    {
        var parts = new[] { Header, ParentHeader, Metadata, Content }.Select(j => Encoding.UTF8.GetBytes(j.ToJsonString())).ToArray();
        var message = new NetMQMessage();
        foreach (var id in Identities) message.Append(id);
        message.Append(Delimiter);
        message.Append(signer.Sign(parts));
        foreach (var p in parts) message.Append(p);
        return message;
    }

    /// <summary>Parses received frames; throws <see cref="InvalidDataException"/> for a malformed or badly signed message.</summary>
    public static JupyterMessage Parse(NetMQMessage message, MessageSigner signer)
    {
        var frames = message.Select(f => f.ToByteArray()).ToList();
        var delimiter = Encoding.UTF8.GetBytes(Delimiter);
        var at = frames.FindIndex(f => f.AsSpan().SequenceEqual(delimiter));
        if (at < 0 || frames.Count < at + 6)
            throw new InvalidDataException($"malformed Jupyter message: {frames.Count} frames, delimiter at {at}");
        var parts = frames.GetRange(at + 2, 4).ToArray();
        if (!signer.Verify(Encoding.ASCII.GetString(frames[at + 1]), parts))
            throw new InvalidDataException("Jupyter message with an invalid HMAC signature (wrong key?)");
        JsonObject Json(byte[] b) => JsonNode.Parse(b.Length == 0 ? "{}"u8 : b) as JsonObject ?? [];
        return new JupyterMessage(frames.GetRange(0, at), Json(parts[0]), Json(parts[1]), Json(parts[2]), Json(parts[3]));
    }
}

/// <summary>HMAC-SHA256 signatures over the header, parent header, metadata and content frames, as lowercase hex.</summary>
public sealed class MessageSigner(string key)
{
    private readonly byte[] key = Encoding.UTF8.GetBytes(key);

    public string Sign(IEnumerable<byte[]> parts)
    {
        // An empty key means signing is off (connection files may say so).
        if (key.Length == 0) return "";
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        foreach (var p in parts) hmac.AppendData(p);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    public bool Verify(string signature, IEnumerable<byte[]> parts) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(parts)), Encoding.ASCII.GetBytes(signature.ToLowerInvariant()));
}
