using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using ClipUp.Text;
using static TorchSharp.torch;

namespace ClipUp.Tests.Text;

public class ClipTokenizerTests
{
    private static readonly ClipTokenizer Tok = ClipTokenizer.Default;
    private static TokenizerFixture Fixture => TokenizerFixture.Instance;

    private static ClipTokenizer FreshTokenizer()
    {
        using var stream = typeof(ClipTokenizer).Assembly.GetManifestResourceStream("ClipUp.Text.bpe_simple_vocab_16e6.txt.gz")!;
        return ClipTokenizer.Load(stream);
    }

    [Fact]
    public void VocabularyHas49408EntriesWithSotAndEotLast()
    {
        // 256 byte chars + 256 with </w> + 48,894 merges + 2 specials.
        Assert.Equal(49408, Tok.VocabSize);
        Assert.Equal(49406, Tok.SotId);
        Assert.Equal(49407, Tok.EotId);
        Assert.Equal("<|startoftext|><|endoftext|>", Tok.Decode([49406, 49407]));
    }

    [Fact]
    public void APhotoOfACatGivesTheWellKnownOpenAiRow()
    {
        int[] expected = [49406, 320, 1125, 539, 320, 2368, 49407, .. new int[70]];
        Assert.Equal(expected, Tok.TokenizeToIds("a photo of a cat"));

        using var tokens = Tok.Tokenize(["a photo of a cat", "A PHOTO OF A CAT"]);
        Assert.Equal([2L, 77L], tokens.shape);
        Assert.Equal(ScalarType.Int64, tokens.dtype);
        Assert.Equal(expected.Select(i => (long)i), tokens[0].data<long>().ToArray());
        Assert.Equal(expected.Select(i => (long)i), tokens[1].data<long>().ToArray());
    }

    [Fact]
    public void EncodeMatchesThePythonReferenceOnTrickyStrings()
    {
        Assert.True(Fixture.Strings.Length >= 40, $"fixture has only {Fixture.Strings.Length} strings");
        var mismatches = Fixture.Strings
            .Where(c => !Tok.Encode(c.Text).SequenceEqual(c.Ids))
            .Select(c => $"{Escape(c.Text)}: expected [{string.Join(", ", c.Ids)}], got [{string.Join(", ", Tok.Encode(c.Text))}]")
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void TokenizeRowsMatchOpenClipOnTrickyStrings()
    {
        string[] texts = Fixture.Strings.Select(c => c.Text).ToArray();
        using var tokens = Tok.Tokenize(texts);
        long[] all = tokens.data<long>().ToArray();
        for (int n = 0; n < texts.Length; n++)
            Assert.True(Fixture.Strings[n].Row77.Select(i => (long)i).SequenceEqual(all[(n * 77)..((n + 1) * 77)]), Escape(texts[n]));
    }

    [Fact]
    public void DecodeMatchesThePythonReference()
    {
        foreach (var c in Fixture.Strings) Assert.Equal(c.Decoded, Tok.Decode(c.Ids));
        // Cut and invalid UTF-8 (single byte tokens of an emoji, an encoded surrogate) become U+FFFD as in Python.
        foreach (var c in Fixture.Decode) Assert.Equal(c.Text, Tok.Decode(c.Ids));
    }

    [Theory]
    [InlineData("a photo of a cat")]
    [InlineData("A Dog, Running On The Beach!")]
    [InlineData("  Ünïcödé   text\twith 😀 emoji  ")]
    public void DecodeOfEncodeRoundTripsTheCleanLowerCaseText(string text)
    {
        // Decode writes a space after every word piece, so compare without spaces ...
        string decoded = Tok.Decode(Tok.Encode(text));
        Assert.Equal(TextCleaner.Clean(text).Replace(" ", ""), decoded.Replace(" ", ""));
        // ... and text whose pieces are space-separated words comes back exactly, plus the trailing space.
        if (text == "a photo of a cat") Assert.Equal("a photo of a cat ", decoded);
    }

    [Fact]
    public void TruncationKeepsEotAtTheLastPosition()
    {
        string text = string.Join(' ', Enumerable.Repeat("a dog runs on the beach", 20)); // 120 tokens
        int[] ids = Tok.Encode(text);
        Assert.Equal(120, ids.Length);

        int[] row = Tok.TokenizeToIds(text);
        Assert.Equal(Tok.SotId, row[0]);
        Assert.Equal(ids[..75], row[1..76]); // open_clip: tokens[:77], then tokens[-1] = eot
        Assert.Equal(Tok.EotId, row[76]);

        Assert.Equal([Tok.SotId, Tok.EotId], Tok.TokenizeToIds(text, contextLength: 2));
    }

    [Fact]
    public void TextOfExactlyContextMinusTwoTokensIsNotCut()
    {
        // "a b c d e" is 5 single tokens; with context 7 it fills sot + 5 + eot exactly.
        int[] ids = Tok.Encode("a b c d e");
        Assert.Equal(5, ids.Length);
        Assert.Equal([Tok.SotId, .. ids, Tok.EotId], Tok.TokenizeToIds("a b c d e", contextLength: 7));
        Assert.Equal([Tok.SotId, .. ids[..5], Tok.EotId], Tok.TokenizeToIds("a b c d e f", contextLength: 7));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-77)]
    public void ContextLengthBelowTwoIsRejectedWithTheValue(int contextLength)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Tokenize(["a cat"], contextLength));
        Assert.Contains($"contextLength {contextLength} is too small", ex.Message);
        Assert.Contains(">= 2", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.TokenizeToIds("a cat", contextLength));
    }

    [Fact]
    public void ANullTextIsRejectedWithItsIndex()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tok.Tokenize(["a cat", null!]));
        Assert.Contains("texts[1] is null", ex.Message);
    }

    [Fact]
    public void AnEmptyListGivesAnEmptyBatch()
    {
        using var tokens = Tok.Tokenize([], 77);
        Assert.Equal([0L, 77L], tokens.shape);
    }

    [Fact]
    public void DecodeRejectsIdsOutsideTheVocabulary()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([320, 49408]));
        Assert.Contains("token id 49408 is outside the vocabulary 0..49407", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([-1]));
    }

    [Fact]
    public void LoadRejectsAMergesFileWithTooFewLines()
    {
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(Encoding.UTF8.GetBytes("#version: 0.2\ni n\nt h\n"));
        gz.Position = 0;
        var ex = Assert.Throws<InvalidDataException>(() => ClipTokenizer.Load(gz));
        Assert.Contains("has 4 lines but needs a header plus 48894 merges", ex.Message);
    }

    [Fact]
    public void EncodeGivesTheSameIdsFromManyThreadsAtOnce()
    {
        var tok = FreshTokenizer(); // empty cache, so threads race to fill it
        string[] texts = Fixture.Flickr8k.First.Select(c => c.Text).Concat(Fixture.Strings.Select(c => c.Text)).ToArray();
        int[][] expected = texts.Select(FreshTokenizer().Encode).ToArray();
        var results = new int[texts.Length * 8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = tok.Encode(texts[i % texts.Length]));
        for (int i = 0; i < results.Length; i++) Assert.Equal(expected[i % texts.Length], results[i]);
    }

    [Fact]
    public void EveryFlickr8kCaptionMatchesThePythonReference()
    {
        var flickr = Fixture.Flickr8k;
        foreach (string file in flickr.Files) TestData.RequireShared(file);
        List<string> captions = TokenizerFixture.ReadFlickrCaptions(TestData.SharedData, flickr.Files);
        Assert.Equal(flickr.Captions, captions.Count);

        var tok = FreshTokenizer();
        var clock = Stopwatch.StartNew();
        int[][] ids = captions.Select(tok.Encode).ToArray();
        clock.Stop();

        for (int i = 0; i < flickr.First.Length; i++)
        {
            Assert.Equal(flickr.First[i].Text, captions[i]);
            Assert.Equal(flickr.First[i].Ids, ids[i]);
        }
        Assert.Equal(flickr.Tokens, ids.Sum(x => x.Length));
        Assert.Equal(flickr.Sha256, TokenizerFixture.HashIds(ids));
        var warmClock = Stopwatch.StartNew();
        foreach (string caption in captions) tok.Encode(caption);
        warmClock.Stop();
        var fresh = FreshTokenizer();
        var tokenizeClock = Stopwatch.StartNew();
        using var batch = fresh.Tokenize(captions);
        tokenizeClock.Stop();
        Assert.Equal([captions.Count, 77L], batch.shape);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{captions.Count} captions, {flickr.Tokens} tokens: Encode {clock.Elapsed.TotalMilliseconds:F0} ms cold, " +
            $"{warmClock.Elapsed.TotalMilliseconds:F0} ms warm; Tokenize to [N, 77] {tokenizeClock.Elapsed.TotalMilliseconds:F0} ms cold");
    }

    [Fact]
    public void EveryCodePointTokenizesLikePython()
    {
        // For each code point c, "AΣ" + c + "Σe" + c exercises NFC (composition with 'e', singletons), lower case,
        // the Final_Sigma context on both sides of c, and the pattern's character classes. One hash per 4096 block.
        var tok = FreshTokenizer();
        var failed = new List<string>();
        for (int block = 0; block < Fixture.Sweep.Length; block++)
        {
            var ids = new List<int[]>(4096);
            for (int cp = block * 4096; cp < block * 4096 + 4096; cp++)
            {
                if (cp is >= 0xD800 and <= 0xDFFF) continue;
                string c = char.ConvertFromUtf32(cp);
                ids.Add(tok.Encode("AΣ" + c + "Σe" + c));
            }
            if (TokenizerFixture.HashIds(ids) != Fixture.Sweep[block]) failed.Add($"U+{block * 4096:X4}..U+{block * 4096 + 4095:X4}");
        }
        Assert.True(failed.Count == 0, $"blocks differing from Python: {string.Join(", ", failed)}");
    }

    private static string Escape(string s) =>
        string.Concat(s.Select(ch => ch is >= ' ' and < '\u007f' ? ch.ToString() : $"\\u{(int)ch:X4}"));
}
