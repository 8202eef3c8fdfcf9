using System.Collections.Frozen;

namespace ClipUp.Text;

/// <summary>
/// The byte-level BPE of OpenAI CLIP (GPT-2's scheme with a <c>&lt;/w&gt;</c> word end): the vocabulary and merge
/// ranks read from <c>bpe_simple_vocab_16e6.txt.gz</c>, and <c>SimpleTokenizer.bpe</c> on vocabulary ids.
/// </summary>
/// <remarks>
/// Vocabulary layout (49,408 entries): 256 byte characters, the same 256 with <c>&lt;/w&gt;</c>, one entry per
/// merge (the joined pair, 48,894 merges), then <c>&lt;|startoftext|&gt;</c> and <c>&lt;|endoftext|&gt;</c>.
/// Working on ids instead of strings is exact because every symbol a word can contain is a vocabulary entry.
/// </remarks>
internal sealed class BytePairEncoder
{
    /// <summary>Merges used: lines 1..48,894 of the file (Python: <c>merges[1:49152-256-2+1]</c>).</summary>
    internal const int MergeCount = 49152 - 256 - 2;

    private readonly FrozenDictionary<long, (int Rank, int Merged)> _merges;

    /// <summary>Vocabulary entries in bytes_to_unicode characters, indexed by id.</summary>
    internal string[] Vocab { get; }

    /// <summary>The UTF-8 bytes each id stands for (<c>&lt;/w&gt;</c> included as its four ASCII bytes).</summary>
    internal byte[][] VocabBytes { get; }

    /// <summary>Entry to id; a repeated entry maps to its last id, as Python's <c>dict(zip(vocab, range(...)))</c> does.</summary>
    internal FrozenDictionary<string, int> Encoder { get; }

    private BytePairEncoder(string[] vocab, FrozenDictionary<string, int> encoder, FrozenDictionary<long, (int, int)> merges)
    {
        Vocab = vocab;
        Encoder = encoder;
        _merges = merges;
        VocabBytes = Array.ConvertAll(vocab, ByteLevel.ToBytes);
    }

    /// <summary>Builds the vocabulary and ranks from the text of the merges file (header line first).</summary>
    /// <exception cref="InvalidDataException">The file has too few merge lines or a line is not a pair.</exception>
    internal static BytePairEncoder FromMergesText(string text)
    {
        string[] lines = text.Split('\n');
        if (lines.Length < MergeCount + 1)
            throw new InvalidDataException(
                $"BPE merges file has {lines.Length} lines but needs a header plus {MergeCount} merges: use CLIP's bpe_simple_vocab_16e6.txt.gz");

        var pairs = new (string First, string Second)[MergeCount];
        for (int i = 0; i < MergeCount; i++)
        {
            string[] parts = lines[i + 1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
                throw new InvalidDataException($"BPE merges line {i + 2} \"{lines[i + 1]}\" is not two symbols separated by a space");
            pairs[i] = (parts[0], parts[1]);
        }

        var vocab = new List<string>(2 * 256 + MergeCount + 2);
        vocab.AddRange(ByteLevel.ByteChars.Select(c => c.ToString()));
        vocab.AddRange(ByteLevel.ByteChars.Select(c => c + "</w>"));
        vocab.AddRange(pairs.Select(p => p.First + p.Second));
        vocab.Add(ClipTokenizer.StartOfText);
        vocab.Add(ClipTokenizer.EndOfText);

        var encoder = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        for (int id = 0; id < vocab.Count; id++) encoder[vocab[id]] = id;

        var merges = new Dictionary<long, (int, int)>(MergeCount);
        for (int rank = 0; rank < MergeCount; rank++)
        {
            var (first, second) = pairs[rank];
            // A pair whose halves are not entries can never occur in a word, so it can never fire.
            if (encoder.TryGetValue(first, out int a) && encoder.TryGetValue(second, out int b))
                merges[Key(a, b)] = (rank, encoder[first + second]);
        }
        return new BytePairEncoder([.. vocab], encoder.ToFrozenDictionary(StringComparer.Ordinal), merges.ToFrozenDictionary());
    }

    /// <summary>
    /// <c>SimpleTokenizer.bpe</c> on one pre-token given as UTF-8 bytes: start from byte symbols with
    /// <c>&lt;/w&gt;</c> on the last, then repeatedly merge every occurrence (left to right) of the adjacent
    /// pair with the lowest rank until no adjacent pair has a rank.
    /// </summary>
    internal int[] Encode(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return [];
        var word = new List<int>(utf8.Length);
        foreach (byte b in utf8) word.Add(ByteLevel.ByteId[b]);
        word[^1] += 256; // the same byte character with </w>

        while (word.Count > 1)
        {
            int bestRank = int.MaxValue, first = -1, second = -1, merged = -1;
            for (int i = 0; i + 1 < word.Count; i++)
            {
                if (_merges.TryGetValue(Key(word[i], word[i + 1]), out var m) && m.Rank < bestRank)
                    (bestRank, first, second, merged) = (m.Rank, word[i], word[i + 1], m.Merged);
            }
            if (merged < 0) break;

            int w = 0;
            for (int i = 0; i < word.Count;)
            {
                if (i + 1 < word.Count && word[i] == first && word[i + 1] == second)
                {
                    word[w++] = merged;
                    i += 2;
                }
                else word[w++] = word[i++];
            }
            word.RemoveRange(w, word.Count - w);
        }
        return [.. word];
    }

    private static long Key(int first, int second) => ((long)first << 32) | (uint)second;
}
