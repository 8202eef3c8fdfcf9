using ClipUp.Cli.Commands;
using ClipUp.Io;
using ClipUp.Model;
using ClipUp.Tests.Io;

namespace ClipUp.Tests.Cli;

public class ExportCommandTests
{
    [Fact]
    public void AClipUpFileExportsToAnHfFolderAndBackToAClipUpFileUnchanged()
    {
        using var dir = new TempDir();
        using var model = new ClipModel(ClipConfig.Tiny, seed: 12);
        ModelImport.SaveClipUp(model, dir.File("in.safetensors"));

        var toHf = ExportCommand.Run(dir.File("in.safetensors"), dir.File("hf"), "hf", null);
        var toClipUp = ExportCommand.Run(dir.File("hf"), dir.File("back.safetensors"), "clipup", null);
        using var back = ModelImport.LoadDense(dir.File("back.safetensors"));

        Assert.StartsWith("read   ClipUpSafetensors", toHf[0]);
        Assert.Equal($"wrote  HF folder {dir.File("hf")}", toHf[^1]);
        Assert.StartsWith("read   HuggingFaceFolder", toClipUp[0]);
        Assert.Contains("embed 64; vision 32px/8 width 64 × 2 layers, 4 heads, MLP 256;", toClipUp[1]);
        ModelImportTests.AssertSameEmbeddings(model, back, model.Config);
    }

    [Theory]
    [InlineData("onnx", "out", "--format onnx: use hf or clipup")]
    [InlineData("clipup", "out.bin", "--to out.bin: a ClipUp file must end in .safetensors")]
    public void ABadFormatOrTargetIsAUserError(string format, string to, string message)
    {
        var e = Assert.Throws<UserErrorException>(() => ExportCommand.Run("anything", to, format, null));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void UserErrorsEndWithExitCode2()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("weights.bin"), "pickle");

        Assert.Equal(2, CliTestFiles.Invoke("export", "--from", dir.File("missing"), "--to", dir.File("x")));
        Assert.Equal(2, CliTestFiles.Invoke("export", "--from", dir.File("weights.bin"), "--to", dir.File("x")));   // pickle: NotSupported
        Assert.Equal(2, CliTestFiles.Invoke("export", "--from", dir.Path, "--to", dir.File("x"), "--format", "onnx"));
    }
}
