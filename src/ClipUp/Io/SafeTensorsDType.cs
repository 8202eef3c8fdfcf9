using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>
/// The safetensors dtype strings ClipUp reads and writes, and their TorchSharp <see cref="ScalarType"/> and byte width.
/// The format also defines U16/U32/U64 and the FP8 types; TorchSharp 0.107 has no scalar type for them, so they are
/// recognised (for a precise error) but not loaded.
/// </summary>
public static class SafeTensorsDType
{
    private static readonly (string Name, ScalarType Type, int Size)[] Supported =
    [
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    private static readonly string[] KnownButUnsupported = ["U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"];

    /// <summary>Every dtype string this reader accepts, in the order of the table above.</summary>
    public static IReadOnlyList<string> Names { get; } = Supported.Select(s => s.Name).ToArray();

    /// <summary>Parses a header dtype string, or returns false with a reason.</summary>
    public static bool TryParse(string name, out ScalarType type, out int size, out string reason)
    {
        foreach (var s in Supported)
        {
            if (s.Name == name)
            {
                (type, size, reason) = (s.Type, s.Size, "");
                return true;
            }
        }
        (type, size) = (default, 0);
        reason = KnownButUnsupported.Contains(name)
            ? $"dtype '{name}' is valid safetensors but TorchSharp has no such scalar type; convert it (for example to F32) before loading"
            : $"unknown dtype '{name}'; expected one of {string.Join(", ", Names)}";
        return false;
    }

    /// <summary>The safetensors name and byte width of a TorchSharp scalar type; throws for types safetensors cannot hold.</summary>
    public static (string Name, int Size) FromScalarType(ScalarType type)
    {
        foreach (var s in Supported)
        {
            if (s.Type == type) return (s.Name, s.Size);
        }
        throw new NotSupportedException(
            $"scalar type {type} cannot be written to safetensors by ClipUp; supported: {string.Join(", ", Supported.Select(s => s.Type))}");
    }
}
