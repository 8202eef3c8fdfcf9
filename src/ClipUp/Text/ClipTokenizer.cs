using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Text;

/// <summary>
/// OpenAI CLIP's BPE tokenizer (<c>clip/simple_tokenizer.py</c> <c>SimpleTokenizer</c>, identical in open_clip's
/// <c>tokenizer.py</c>) and open_clip's <c>tokenize</c>: clean, lower-case, split with CLIP's pattern, byte-level
/// BPE with <c>&lt;/w&gt;</c> word ends, then <c>[sot, ids..., eot, 0...]</c> rows of the context length.
/// </summary>
/// <remarks>
/// <para>Radford et al., "Learning Transferable Visual Models From Natural Language Supervision" (2021), §2.4:
/// "a lower-cased byte pair encoding (BPE) representation of the text with a 49,152 vocab size", bracketed
/// with [SOS] and [EOS]; OpenAI's code uses 77 positions (75 text tokens + sot + eot). Ids match the reference for every input it accepts (tests compare against
/// bench/reference/tokenizer_fixture.py), except that ftfy's repairs are not reproduced (see <see cref="TextCleaner"/>),
/// and that a lone UTF-16 surrogate, which Python cannot encode, becomes U+FFFD here.</para>
/// <para>Instances are immutable apart from a thread-safe word cache, so one instance can serve all threads.</para>
/// </remarks>
public sealed class ClipTokenizer
{
    /// <summary>The start-of-text special token.</summary>
    public const string StartOfText = "<|startoftext|>";

    /// <summary>The end-of-text special token; CLIP's text embedding is read at its position.</summary>
    public const string EndOfText = "<|endoftext|>";

    /// <summary>CLIP's context length: 75 tokens of text plus sot and eot.</summary>
    public const int DefaultContextLength = 77;

    private const string ResourceName = "ClipUp.Text.bpe_simple_vocab_16e6.txt.gz";

    // Caps memory on adversarial streams of unique words; CLIP captions repeat words, so real text stays far below.
    private const int MaxCachedWords = 1 << 18;

    private static readonly Lazy<ClipTokenizer> s_default = new(() =>
    {
        using var stream = typeof(ClipTokenizer).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from ClipUp.dll");
        return Load(stream);
    });

    private readonly BytePairEncoder _bpe;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;
    private int _cachedWords;

    private ClipTokenizer(BytePairEncoder bpe)
    {
        _bpe = bpe;
        SotId = bpe.Encoder[StartOfText];
        EotId = bpe.Encoder[EndOfText];
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        // As in SimpleTokenizer's cache: a special token that the pattern keeps whole is its own id.
        _cache[StartOfText] = [SotId];
        _cache[EndOfText] = [EotId];
    }

    /// <summary>The tokenizer of OpenAI CLIP, built once from the vocabulary embedded in ClipUp.</summary>
    public static ClipTokenizer Default => s_default.Value;

    /// <summary>Builds a tokenizer from a gzip-compressed merges file in CLIP's format (<c>bpe_simple_vocab_16e6.txt.gz</c>).</summary>
    /// <exception cref="InvalidDataException">The stream is not such a file.</exception>
    public static ClipTokenizer Load(Stream gzippedMerges)
    {
        ArgumentNullException.ThrowIfNull(gzippedMerges);
        using var gzip = new GZipStream(gzippedMerges, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new StreamReader(gzip, new UTF8Encoding(false, throwOnInvalidBytes: true));
        return new ClipTokenizer(BytePairEncoder.FromMergesText(reader.ReadToEnd()));
    }

    /// <summary>Number of token ids, 49,408 for CLIP (ids are 0..VocabSize-1).</summary>
    public int VocabSize => _bpe.Vocab.Length;

    /// <summary>Id of <c>&lt;|startoftext|&gt;</c> (49,406 for CLIP).</summary>
    public int SotId { get; }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> (49,407 for CLIP).</summary>
    public int EotId { get; }

    /// <summary>
    /// <c>SimpleTokenizer.encode</c>: the BPE ids of <paramref name="text"/> without sot/eot and without truncation.
    /// "a photo of a cat" gives [320, 1125, 539, 320, 2368].
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string clean = TextCleaner.Clean(text);
        var ids = new List<int>(clean.Length / 3 + 4);
        int pos = 0;
        while (PreTokenizer.Next(clean, ref pos, out int start, out int length))
            ids.AddRange(EncodePiece(clean.AsSpan(start, length)));
        return [.. ids];
    }

    /// <summary>
    /// <c>SimpleTokenizer.decode</c>: concatenates the entries' bytes, decodes UTF-8 (invalid or cut sequences
    /// become U+FFFD) and turns each <c>&lt;/w&gt;</c> into a space; special tokens are kept as text.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside 0..VocabSize-1.</exception>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is outside the vocabulary 0..{VocabSize - 1}");
            bytes.AddRange(_bpe.VocabBytes[id]);
        }
        return Encoding.UTF8.GetString([.. bytes]).Replace("</w>", " ", StringComparison.Ordinal);
    }

    /// <summary>
    /// One row of open_clip's <c>tokenize</c>: <c>[sot, ids..., eot]</c> zero-padded to
    /// <paramref name="contextLength"/>; longer text is cut to the context length and its last id set to eot.
    /// </summary>
    public int[] TokenizeToIds(string text, int contextLength = DefaultContextLength)
    {
        ValidateContextLength(contextLength);
        var row = new int[contextLength];
        FillRow(Encode(text), row);
        return row;
    }

    /// <summary>
    /// open_clip's <c>tokenize(texts, context_length)</c>: an int64 tensor [N, contextLength] of
    /// <see cref="TokenizeToIds"/> rows, on the CPU. Truncation keeps eot at position contextLength - 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contextLength"/> is below 2.</exception>
    public Tensor Tokenize(IReadOnlyList<string> texts, int contextLength = DefaultContextLength)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ValidateContextLength(contextLength);
        var data = new long[texts.Count * contextLength];
        var row = new int[contextLength];
        for (int n = 0; n < texts.Count; n++)
        {
            string text = texts[n] ?? throw new ArgumentException($"texts[{n}] is null: pass an empty string instead", nameof(texts));
            Array.Clear(row);
            FillRow(Encode(text), row);
            for (int t = 0; t < contextLength; t++) data[n * contextLength + t] = row[t];
        }
        return torch.tensor(data, [texts.Count, contextLength], dtype: ScalarType.Int64);
    }

    private void FillRow(int[] ids, int[] row)
    {
        int contextLength = row.Length;
        row[0] = SotId;
        int copied = Math.Min(ids.Length, contextLength - 2);
        Array.Copy(ids, 0, row, 1, copied);
        // Fits: eot follows the text. Too long: open_clip keeps tokens[:context_length] and overwrites the last with eot.
        row[ids.Length + 2 <= contextLength ? ids.Length + 1 : contextLength - 1] = EotId;
    }

    private static void ValidateContextLength(int contextLength)
    {
        if (contextLength < 2)
            throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength,
                $"contextLength {contextLength} is too small: it must be >= 2 to hold <|startoftext|> and <|endoftext|> (CLIP uses 77)");
    }

    private int[] EncodePiece(ReadOnlySpan<char> piece)
    {
        if (_cacheBySpan.TryGetValue(piece, out int[]? cached)) return cached;
        int byteCount = Encoding.UTF8.GetByteCount(piece);
        Span<byte> utf8 = byteCount <= 256 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(piece, utf8);
        int[] ids = _bpe.Encode(utf8);
        if (Volatile.Read(ref _cachedWords) < MaxCachedWords && _cacheBySpan.TryAdd(piece, ids))
            Interlocked.Increment(ref _cachedWords);
        return ids;
    }
}
