using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ClipUp.Tests.Text;

/// <summary>
/// tokenizer_fixture.json, written by bench/reference/tokenizer_fixture.py from OpenAI CLIP's SimpleTokenizer
/// (NFC + html.unescape cleaning in place of ftfy). Read from the source tree, so no test needs Python.
/// </summary>
public sealed record TokenizerFixture(
    string Python, string Regex, string Unicodedata,
    TokenizerFixture.StringCase[] Strings, TokenizerFixture.DecodeCase[] Decode, TokenizerFixture.CleanCase[] Clean,
    TokenizerFixture.NfcCase[] Nfc, string[] Sweep, TokenizerFixture.Flickr Flickr8k)
{
    public sealed record StringCase(string Text, int[] Ids, int[] Row77, string Decoded);
    public sealed record DecodeCase(int[] Ids, string Text);
    public sealed record CleanCase(string Text, string Clean, string[] Pieces);
    public sealed record NfcCase(string Text, string Nfc);
    public sealed record Caption(string Text, int[] Ids);
    public sealed record Flickr(string[] Files, int Captions, int Tokens, string Sha256, Caption[] First);

    private static readonly Lazy<TokenizerFixture> s_instance = new(() =>
    {
        string path = Path.Combine(TestData.RepoRoot, "tests", "ClipUp.Tests", "Text", "tokenizer_fixture.json");
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return JsonSerializer.Deserialize<TokenizerFixture>(File.ReadAllText(path), options)
            ?? throw new InvalidDataException($"{path} is empty: rerun bench/reference/tokenizer_fixture.py");
    });

    public static TokenizerFixture Instance => s_instance.Value;

    /// <summary>The fixture's hash format: SHA-256 of UTF-8 "id id id\n" per text.</summary>
    public static string HashIds(IEnumerable<int[]> idLists)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (int[] ids in idLists) sha.AppendData(Encoding.UTF8.GetBytes(string.Join(' ', ids) + "\n"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Flickr8k captions in fixture order (train.tsv then val.tsv, column "caption").</summary>
    public static List<string> ReadFlickrCaptions(string sharedData, string[] files)
    {
        var captions = new List<string>();
        foreach (string file in files)
        {
            string path = Path.Combine(sharedData, file);
            using var reader = new StreamReader(path, Encoding.UTF8);
            int column = Array.IndexOf(reader.ReadLine()!.Split('\t'), "caption");
            Assert.True(column >= 0, $"{path} has no 'caption' column in its header");
            while (reader.ReadLine() is { } line)
                if (line.Length > 0) captions.Add(line.Split('\t')[column]);
        }
        return captions;
    }
}
