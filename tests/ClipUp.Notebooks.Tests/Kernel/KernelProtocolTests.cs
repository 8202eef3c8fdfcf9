using System.Text;
using System.Text.Json.Nodes;
using NetMQ;

namespace ClipUp.Notebooks.Tests.Kernel;

public class KernelProtocolTests
{
    private static readonly byte[][] Parts =
        [.. new[] { """{"msg_type":"x"}""", "{}", "{}", """{"code":"1"}""" }.Select(Encoding.UTF8.GetBytes)];

    [Fact]
    public void TheSignatureIsHmacSha256OfTheFourJsonFramesAsLowercaseHex()
    {
        // python3: hmac.new(b"secret", b'{"msg_type":"x"}' + b'{}' + b'{}' + b'{"code":"1"}', hashlib.sha256).hexdigest()
        const string python = "eb7bda8d13c54d64de65e4311c939e29e94d5fba317910b1e8741bb00ddf909d";
        var signer = new MessageSigner("secret");

        Assert.Equal(python, signer.Sign(Parts));
        Assert.True(signer.Verify(python.ToUpperInvariant(), Parts));
        Assert.False(new MessageSigner("other").Verify(python, Parts));
        Assert.Equal("", new MessageSigner("").Sign(Parts)); // an empty key turns signing off
    }

    [Fact]
    public void AMessageRoundTripsThroughItsFramesAndABadSignatureIsRejected()
    {
        var signer = new MessageSigner("k");
        var message = new JupyterMessage([[1, 2, 3]], JupyterMessage.NewHeader("execute_request", "s"), [], [], new JsonObject { ["code"] = "1+1" });

        var frames = message.ToNetMQ(signer);
        var back = JupyterMessage.Parse(frames, signer);

        Assert.Equal([1, 2, 3], Assert.Single(back.Identities));
        Assert.Equal("execute_request", back.MsgType);
        Assert.Equal("5.3", back.Header["version"]!.GetValue<string>());
        Assert.Equal("1+1", back.Content["code"]!.GetValue<string>());
        Assert.Equal(JupyterMessage.Delimiter, frames[1].ConvertToString());
        var e = Assert.Throws<InvalidDataException>(() => JupyterMessage.Parse(frames, new MessageSigner("wrong")));
        Assert.Contains("invalid HMAC signature", e.Message);
    }

    [Theory]
    [InlineData("1 + 1", "complete")]
    [InlineData("var x = 1;", "complete")]
    [InlineData("for (var i = 0; i < 3; i++) {", "incomplete")]
    [InlineData("var s = \"\"\"\nopen raw string", "incomplete")]
    public void IsCompleteUsesRoslynsSubmissionCheck(string code, string status) =>
        Assert.Equal(status, KernelRequests.IsComplete(code)["status"]!.GetValue<string>());

    [Fact]
    public void CursorPositionsAreUnicodeCodePointsOnTheWire()
    {
        // "😀" is one code point but two UTF-16 units, so code point 3 ("x.") is UTF-16 offset 4.
        const string code = "😀 x.";
        Assert.Equal(4, KernelRequests.ToUtf16(code, 3));
        Assert.Equal(3, KernelRequests.ToCodePoints(code, 4));
        Assert.Equal(code.Length, KernelRequests.ToUtf16(code, 99));
    }

    [Fact]
    public void KernelInfoDescribesClipUpsCSharp()
    {
        var info = KernelRequests.KernelInfo();
        Assert.Equal("5.3", info["protocol_version"]!.GetValue<string>());
        Assert.Equal("clipup", info["implementation"]!.GetValue<string>());
        var language = info["language_info"]!;
        Assert.Equal(("C#", "text/x-csharp", ".cs"),
            (language["name"]!.GetValue<string>(), language["mimetype"]!.GetValue<string>(), language["file_extension"]!.GetValue<string>()));
    }

    [Fact]
    public void TheKernelspecStartsTheLauncherWithTheConnectionFile()
    {
        using var dir = TestPaths.NewTempDir();
        var path = KernelSpec.Install(KernelSpec.PrefixKernelsDir(dir.Path), ["/opt/clipup/clipup"]);

        Assert.Equal(Path.Combine(dir.Path, "share", "jupyter", "kernels", "clipup-csharp", "kernel.json"), path);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(["/opt/clipup/clipup", "kernel", "run", "--connection-file", "{connection_file}"],
            json["argv"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal("C# (ClipUp)", json["display_name"]!.GetValue<string>());
        Assert.Equal("C#", json["language"]!.GetValue<string>());
        // Jupyter starts the kernel with this environment: rare collections, as ./clipup sets them (Runtime/Scalars.cs).
        Assert.Equal("0x10000000", json["env"]!["DOTNET_GCgen0size"]!.GetValue<string>());
    }

    [Fact]
    public void AConnectionFileWithAnUnsupportedSchemeIsRefusedByName()
    {
        var info = new ConnectionInfo("tcp", "127.0.0.1", 1, 2, 3, 4, 5, "k", "hmac-md5");
        var e = Assert.Throws<InvalidDataException>(() => info.Validate("conn.json"));
        Assert.Contains("signature_scheme 'hmac-md5' is not supported", e.Message);
        Assert.Equal("tcp://127.0.0.1:4", info.Address(4));
    }
}
