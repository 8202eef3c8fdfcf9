namespace ClipUp.Text;

/// <summary>
/// GPT-2/CLIP <c>bytes_to_unicode</c>: a reversible map from the 256 byte values to printable characters, so BPE
/// symbols never contain whitespace or control characters. Printable Latin-1 bytes ('!'..'~', '¡'..'¬',
/// '®'..'ÿ') map to themselves; the other 68 bytes map, in byte order, to U+0100..U+0143.
/// </summary>
internal static class ByteLevel
{
    /// <summary>The byte characters in vocabulary order: <c>ByteChars[id]</c> is the character of token id <c>id</c> (0..255).</summary>
    internal static readonly char[] ByteChars;

    /// <summary>Vocabulary id of each byte's character (add 256 for the <c>&lt;/w&gt;</c> variant).</summary>
    internal static readonly int[] ByteId = new int[256];

    private static readonly int[] s_charToByte = Enumerable.Repeat(-1, 0x144).ToArray();

    static ByteLevel()
    {
        var bytes = new List<int>();
        for (int b = '!'; b <= '~'; b++) bytes.Add(b);
        for (int b = '¡'; b <= '¬'; b++) bytes.Add(b);
        for (int b = '®'; b <= 'ÿ'; b++) bytes.Add(b);
        var chars = bytes.Select(b => (char)b).ToList();
        int n = 0;
        for (int b = 0; b < 256; b++)
        {
            if (bytes.Contains(b)) continue;
            bytes.Add(b);
            chars.Add((char)(256 + n++));
        }
        ByteChars = [.. chars];
        for (int id = 0; id < 256; id++)
        {
            ByteId[bytes[id]] = id;
            s_charToByte[chars[id]] = bytes[id];
        }
    }

    /// <summary>The bytes a vocabulary entry stands for (<c>byte_decoder</c> applied to each character).</summary>
    internal static byte[] ToBytes(string entry)
    {
        var result = new byte[entry.Length];
        for (int i = 0; i < entry.Length; i++)
        {
            int b = entry[i] < s_charToByte.Length ? s_charToByte[entry[i]] : -1;
            if (b < 0) throw new InvalidDataException($"BPE entry \"{entry}\" holds U+{(int)entry[i]:X4}, which is no byte character");
            result[i] = (byte)b;
        }
        return result;
    }
}
