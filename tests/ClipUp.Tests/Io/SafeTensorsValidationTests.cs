using ClipUp.Io;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Io;

/// <summary>Every way a safetensors file can be broken gives an error that names the file and the problem.</summary>
public class SafeTensorsValidationTests
{
    private static InvalidDataException OpenFails(string path) =>
        Assert.Throws<InvalidDataException>(() => { using var _ = SafeTensors.Open(path); });

    [Fact]
    public void AFileShorterThanEightBytesIsRejected()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("tiny.safetensors"), [1, 2, 3, 4, 5]);

        var e = OpenFails(dir.File("tiny.safetensors"));

        Assert.Contains("tiny.safetensors is not a safetensors file: it has 5 bytes, fewer than the 8-byte header length prefix", e.Message);
    }

    [Fact]
    public void AHeaderLengthBeyondTheFileSizeIsRejected()
    {
        using var dir = new TempDir();
        // Header text is 2 bytes ("{}") but the prefix claims 4096; 2 bytes follow the prefix.
        RawSafeTensors.Write(dir.File("long.safetensors"), "{}", [], declaredLength: 4096);

        var e = OpenFails(dir.File("long.safetensors"));

        Assert.Contains("long.safetensors is truncated or not a safetensors file: its first 8 bytes declare a 4096-byte header, but only 2 bytes follow", e.Message);
    }

    [Fact]
    public void AGarbledHeaderIsRejectedAsInvalidJson()
    {
        using var dir = new TempDir();
        RawSafeTensors.Write(dir.File("garbled.safetensors"), """{"w": {"dtype": "F32", "shape": [1], "data_offs""", new byte[4]);

        var e = OpenFails(dir.File("garbled.safetensors"));

        Assert.Contains("garbled.safetensors has a header that is not valid JSON", e.Message);
    }

    [Fact]
    public void AnUnknownDtypeIsRejectedWithTheAcceptedList()
    {
        using var dir = new TempDir();
        RawSafeTensors.Write(dir.File("dtype.safetensors"), """{"w":{"dtype":"F24","shape":[1],"data_offsets":[0,3]}}""", new byte[3]);

        var e = OpenFails(dir.File("dtype.safetensors"));

        Assert.Contains("dtype.safetensors: tensor 'w' has unknown dtype 'F24'; expected one of F64, F32, F16, BF16", e.Message);
    }

    [Fact]
    public void AValidButUnsupportedDtypeSaysSo()
    {
        using var dir = new TempDir();
        RawSafeTensors.Write(dir.File("fp8.safetensors"), """{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""", new byte[2]);

        var e = OpenFails(dir.File("fp8.safetensors"));

        Assert.Contains("tensor 'w' has dtype 'F8_E4M3' is valid safetensors but TorchSharp has no such scalar type", e.Message);
    }

    [Fact]
    public void OverlappingOffsetsAreRejectedNamingBothTensors()
    {
        using var dir = new TempDir();
        // a = bytes [0, 8), b = bytes [4, 12): b starts inside a.
        RawSafeTensors.Write(dir.File("overlap.safetensors"),
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]);

        var e = OpenFails(dir.File("overlap.safetensors"));

        Assert.Contains("overlap.safetensors has overlapping tensors: 'a' spans bytes [0, 8) and 'b' starts at byte 4", e.Message);
    }

    [Fact]
    public void OffsetsThatDisagreeWithShapeTimesDtypeSizeAreRejected()
    {
        using var dir = new TempDir();
        // [2, 3] F32 needs 2·3·4 = 24 bytes, the offsets give 20.
        RawSafeTensors.Write(dir.File("size.safetensors"), """{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}""", new byte[24]);

        var e = OpenFails(dir.File("size.safetensors"));

        Assert.Contains("size.safetensors: tensor 'w' has shape [2, 3] of F32 (24 bytes) but data_offsets [0, 20] span 20 bytes", e.Message);
    }

    [Fact]
    public void ATruncatedFileNamesTheTensorThatRunsPastTheEnd()
    {
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        // logit_scale: bytes [0, 4); visual.proj [10, 8] F32: bytes [4, 324). Cut 24 bytes off the end: 300 bytes of data remain.
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["visual.proj"] = torch.ones(10, 8), ["logit_scale"] = torch.tensor(4.6f) });
        using (var fs = new FileStream(path, FileMode.Open)) fs.SetLength(fs.Length - 24);

        var e = OpenFails(path);

        Assert.Contains("model.safetensors is truncated: tensor 'visual.proj' ends at byte 324 but the data section has 300 bytes; re-download or re-export the file", e.Message);
    }

    [Fact]
    public void AHeaderThatIsNotAnObjectIsRejected()
    {
        using var dir = new TempDir();
        RawSafeTensors.Write(dir.File("array.safetensors"), "[1, 2]", []);

        var e = OpenFails(dir.File("array.safetensors"));

        Assert.Contains("array.safetensors has a JSON header that is a Array, not an object of tensor entries", e.Message);
    }

    [Fact]
    public void NegativeShapesAndMissingFieldsAreRejected()
    {
        using var dir = new TempDir();
        RawSafeTensors.Write(dir.File("neg.safetensors"), """{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", new byte[4]);
        RawSafeTensors.Write(dir.File("nooff.safetensors"), """{"w":{"dtype":"F32","shape":[1]}}""", new byte[4]);

        Assert.Contains("tensor 'w' has shape element 0 = -1, not a non-negative integer", OpenFails(dir.File("neg.safetensors")).Message);
        Assert.Contains("nooff.safetensors: tensor 'w' lacks data_offsets", OpenFails(dir.File("nooff.safetensors")).Message);
    }
}

/// <summary>Saving goes through <c>path.tmp</c> and a rename, so a reader never sees half a file.</summary>
public class SafeTensorsAtomicWriteTests
{
    [Fact]
    public void ASuccessfulSaveLeavesNoTemporaryFile()
    {
        using var dir = new TempDir();

        SafeTensors.Save(dir.File("w.safetensors"), new Dictionary<string, Tensor> { ["x"] = torch.ones(3) });

        Assert.Equal(["w.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AWriteThatFailsMidwayKeepsTheOldFileAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDir();
        string path = dir.File("w.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["old"] = torch.full(4, 7f) });
        var before = File.ReadAllBytes(path);
        // "b" lives on the meta device: its header entry is fine (shape and dtype are known), but copying its bytes
        // throws after "a" has already been written to the temporary file.
        var tensors = new Dictionary<string, Tensor> { ["a"] = torch.ones(1000), ["b"] = torch.empty([4L], device: torch.META) };

        Assert.ThrowsAny<Exception>(() => SafeTensors.Save(path, tensors));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void AnUnsupportedDtypeFailsBeforeAnyFileIsCreated()
    {
        using var dir = new TempDir();
        var tensors = new Dictionary<string, Tensor> { ["a"] = torch.ones(2), ["z"] = torch.ones(2, ScalarType.ComplexFloat32) };

        var e = Assert.Throws<NotSupportedException>(() => SafeTensors.Save(dir.File("c.safetensors"), tensors));

        Assert.Contains("scalar type ComplexFloat32 cannot be written to safetensors", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
