using System.Buffers.Binary;
using System.Text;

namespace ClipUp.Tests.Io;

internal static class RawSafeTensors
{
    /// <summary>Writes a safetensors file byte by byte: 8-byte little-endian header length, the header text as given, the data.</summary>
    public static void Write(string path, string headerJson, byte[] data, long? declaredLength = null)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredLength ?? header.Length));
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        System.IO.File.WriteAllBytes(path, bytes);
    }
}

internal static class Bitwise
{
    /// <summary>True when both tensors have the same dtype, shape and bytes (so NaN payloads and -0.0 count too).</summary>
    public static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        if (a.numel() == 0) return true;
        using var ca = a.cpu().contiguous();
        using var cb = b.cpu().contiguous();
        return ca.bytes.SequenceEqual(cb.bytes);
    }
}
