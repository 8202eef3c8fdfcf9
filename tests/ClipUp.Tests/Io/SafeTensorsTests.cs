using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ClipUp.Io;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Io;

public class SafeTensorsTests
{
    public static TheoryData<string> DTypes => new() { "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL" };

    private static Tensor Sample(ScalarType type, long[] shape, int seed)
    {
        var g = new Generator((ulong)seed);
        var values = torch.randn(shape, generator: g) * 100;
        return type switch
        {
            ScalarType.Bool => values > 0,
            ScalarType.Byte => values.abs().to(ScalarType.Int32).remainder(256).to(ScalarType.Byte),
            _ => values.to(type),
        };
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void EveryDtypeRoundTripsBitExactlyIncludingScalarsAndEmptyTensors(string dtype)
    {
        Assert.True(SafeTensorsDType.TryParse(dtype, out var type, out _, out _));
        using var dir = new TempDir();
        var tensors = new Dictionary<string, Tensor>
        {
            ["matrix"] = Sample(type, [3, 5], 1),
            ["scalar"] = Sample(type, [], 2),
            ["empty"] = Sample(type, [0, 4], 3),
            ["cube"] = Sample(type, [2, 1, 3], 4),
        };
        SafeTensors.Save(dir.File("t.safetensors"), tensors);

        var back = SafeTensors.Load(dir.File("t.safetensors"));

        Assert.Equal(tensors.Keys.Order(), back.Keys.Order());
        foreach (var (name, expected) in tensors)
        {
            Assert.Equal(expected.dtype, back[name].dtype);
            Assert.Equal(expected.shape, back[name].shape);
            Assert.True(Bitwise.Same(expected, back[name]), $"{dtype} tensor '{name}' changed in the round trip");
        }
    }

    [Fact]
    public void MetadataRoundTrips()
    {
        using var dir = new TempDir();
        var meta = new Dictionary<string, string> { ["format"] = "clipup", ["note"] = "ünïcode, \"quotes\" and \\ slashes" };
        SafeTensors.Save(dir.File("m.safetensors"), new Dictionary<string, Tensor> { ["x"] = torch.ones(2) }, meta);

        using var file = SafeTensors.Open(dir.File("m.safetensors"));

        Assert.Equal(meta, file.Metadata);
    }

    [Fact]
    public void AHandWrittenFileReadsWithTheDeclaredValues()
    {
        // data: F32 [1.0, -2.5] = 00 00 80 3F | 00 00 20 C0 (8 bytes), then BF16 scalar 1.5 = 0x3FC0 -> C0 3F (2 bytes),
        // then I64 [7, -1] (16 bytes). Offsets are written out of key order on purpose: the header decides, not the order.
        byte[] data =
        [
            0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0,
            0xC0, 0x3F,
            7, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ];
        const string header = """{"z":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"a":{"dtype":"BF16","shape":[],"data_offsets":[8,10]},"ids":{"dtype":"I64","shape":[2],"data_offsets":[10,26]},"__metadata__":{"format":"pt"}}""";
        using var dir = new TempDir();
        RawSafeTensors.Write(dir.File("hand.safetensors"), header, data);

        using var file = SafeTensors.Open(dir.File("hand.safetensors"));

        Assert.Equal(["a", "ids", "z"], file.Names);
        Assert.Equal("pt", file.Metadata["format"]);
        using var z = file.Read("z");
        Assert.Equal(new long[] { 1, 2 }, z.shape);
        Assert.Equal(new[] { 1.0f, -2.5f }, z.data<float>().ToArray());
        using var a = file.Read("a");
        Assert.Equal(ScalarType.BFloat16, a.dtype);
        Assert.Empty(a.shape);
        Assert.Equal(1.5f, a.to(ScalarType.Float32).item<float>());
        using var ids = file.Read("ids");
        Assert.Equal(new[] { 7L, -1L }, ids.data<long>().ToArray());
    }

    [Fact]
    public void WrittenFilesFollowTheSpecLayout()
    {
        using var dir = new TempDir();
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = torch.ones(3, ScalarType.Float16),     // 6 bytes
            ["a"] = torch.ones(1, ScalarType.Byte),        // 1 byte
            ["c"] = torch.zeros(2, 2),                     // 16 bytes
        };
        SafeTensors.Save(dir.File("s.safetensors"), tensors);

        var bytes = File.ReadAllBytes(dir.File("s.safetensors"));
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        var text = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Equal(text.TrimEnd(' ').Length, text.TrimEnd().Length);   // padding is spaces only
        using var doc = JsonDocument.Parse(text);
        var entries = doc.RootElement.EnumerateObject().ToList();
        Assert.Equal(["a", "b", "c"], entries.Select(e => e.Name));
        // a: [0, 1), b: [1, 7), c: [7, 23): back to back in key order, no gaps, file ends at the last tensor.
        long[][] offsets = entries.Select(e => e.Value.GetProperty("data_offsets").EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        Assert.Equal(new long[][] { [0, 1], [1, 7], [7, 23] }, offsets);
        Assert.Equal(8 + n + 23, bytes.Length);
    }

    [Fact]
    public void ReadingIsLazyPerTensorAndTensorsOutliveTheFile()
    {
        using var dir = new TempDir();
        SafeTensors.Save(dir.File("l.safetensors"), new Dictionary<string, Tensor> { ["w"] = torch.arange(6f).reshape(2, 3), ["v"] = torch.ones(4) });

        Tensor w;
        using (var file = SafeTensors.Open(dir.File("l.safetensors")))
        {
            var info = file.Info("w");
            Assert.Equal(("F32", 24L), (info.DType, info.ByteLength));
            Assert.Equal("[2, 3]", info.ShapeText);
            w = file.Read("w");
            var e = Assert.Throws<KeyNotFoundException>(() => file.Read("missing"));
            Assert.Contains("l.safetensors has no tensor 'missing'", e.Message);
        }

        Assert.Equal(15f, w.sum().item<float>());
    }

    [Fact]
    public void NonContiguousAndSlicedTensorsAreWrittenAsTheirValues()
    {
        using var dir = new TempDir();
        var m = torch.arange(12f).reshape(3, 4);
        var tensors = new Dictionary<string, Tensor> { ["t"] = m.t(), ["rows"] = m.chunk(3, 0)[1] };
        SafeTensors.Save(dir.File("v.safetensors"), tensors);

        var back = SafeTensors.Load(dir.File("v.safetensors"));

        Assert.True(Bitwise.Same(m.t().contiguous(), back["t"]));
        Assert.Equal(new[] { 4f, 5f, 6f, 7f }, back["rows"].data<float>().ToArray());
    }
}
