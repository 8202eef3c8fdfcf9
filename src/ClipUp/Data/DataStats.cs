namespace ClipUp.Data;

/// <summary>Summary of a list of numbers. Percentiles interpolate linearly between order statistics
/// (numpy's default): P(q) is at position q * (n - 1) of the sorted values.</summary>
public sealed record Distribution(int Count, double Min, double Mean, double Median, double P95, double Max)
{
    /// <summary>The summary of no values: all zero.</summary>
    public static readonly Distribution Empty = new(0, 0, 0, 0, 0, 0);

    /// <summary>Summarises <paramref name="values"/>.</summary>
    public static Distribution Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return Empty;
        return new Distribution(sorted.Length, sorted[0], sorted.Average(), Percentile(sorted, 0.5), Percentile(sorted, 0.95), sorted[^1]);
    }

    static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}

/// <summary>How many images have one size.</summary>
public sealed record ImageSizeCount(int Width, int Height, int Count);

/// <summary>How often a word occurs over all captions.</summary>
public sealed record WordCount(string Word, int Count);

/// <summary>What <see cref="DataStats.Summarise"/> found.</summary>
/// <param name="Samples">Rows (image-caption pairs).</param>
/// <param name="DistinctImages">Distinct images (Flickr8k train: 6,091 for 30,455 rows).</param>
/// <param name="CaptionWords">Caption length in words (<see cref="DataStats.Words"/>).</param>
/// <param name="CaptionTokens">Caption length in CLIP tokens including <c>&lt;|startoftext|&gt;</c> and
/// <c>&lt;|endoftext|&gt;</c>; null without a tokenizer.</param>
/// <param name="CaptionsOverContext">Captions longer than the context length (the tokenizer cuts them); 0 without a tokenizer.</param>
/// <param name="ImageWidths">Widths of the readable distinct images (after EXIF orientation).</param>
/// <param name="ImageHeights">Heights of the readable distinct images.</param>
/// <param name="CommonSizes">The most frequent image sizes, most frequent first.</param>
/// <param name="Unreadable">Distinct images whose header could not be read (missing, not an image, truncated header).</param>
/// <param name="UnreadableImages">Those images and why (at most 100).</param>
/// <param name="TopWords">The most frequent lower-cased words, most frequent first (ties: ordinal).</param>
public sealed record DataStatsReport(int Samples, int DistinctImages, Distribution CaptionWords, Distribution? CaptionTokens,
    int CaptionsOverContext, Distribution ImageWidths, Distribution ImageHeights, IReadOnlyList<ImageSizeCount> CommonSizes,
    int Unreadable, IReadOnlyList<DataError> UnreadableImages, IReadOnlyList<WordCount> TopWords);

/// <summary>
/// A quick look at an image-caption source before training (<c>clipup data stats</c>): caption lengths in words and,
/// given a tokenizer, in CLIP tokens; image sizes from the file headers (SKCodec reads only the header, so a
/// 30,000-image set takes seconds); unreadable files; the most frequent words. Pixels are decoded only for sources
/// that keep decoded images in memory, whose sizes are then read from the images themselves.
/// </summary>
public static class DataStats
{
    /// <summary>Summarises <paramref name="source"/>.</summary>
    /// <param name="tokenize">BPE ids of one caption without start/end tokens, e.g. <c>ClipTokenizer.Default.Encode</c>;
    /// null skips token statistics. Lengths add 2 for the start and end tokens.</param>
    /// <param name="contextLength">Token budget per caption (CLIP: 77 including start and end tokens).</param>
    /// <param name="topWords">How many frequent words and image sizes to list.</param>
    /// <param name="progress">Receives the number of distinct images examined so far.</param>
    public static DataStatsReport Summarise(ImageTextSource source, Func<string, IReadOnlyList<int>>? tokenize = null, int contextLength = 77,
        int topWords = 20, IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextLength);
        ArgumentOutOfRangeException.ThrowIfNegative(topWords);
        var words = new List<double>(source.Count);
        var tokens = tokenize is null ? null : new List<double>(source.Count);
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < source.Count; i++)
        {
            var captionWords = Words(source[i].Caption);
            words.Add(captionWords.Count);
            foreach (var word in captionWords)
                frequency[word] = frequency.GetValueOrDefault(word) + 1;
            tokens?.Add(tokenize!(source[i].Caption).Count + 2);
        }

        var groups = source.RowsByImage();
        var sizes = new (int Width, int Height)?[groups.Count];
        var errors = new DataError?[groups.Count];
        var decoder = new ImageDecoderOptions();
        for (int start = 0; start < groups.Count; start += 256)
        {
            int end = Math.Min(start + 256, groups.Count);
            Parallel.For(start, end, new ParallelOptions { CancellationToken = cancel }, g =>
            {
                int row = groups[g][0];
                try
                {
                    var encoded = source.LoadEncoded(row);
                    if (encoded is not null)
                        sizes[g] = ImageDecoder.ReadSize(encoded, source[row].Image, decoder);
                    else
                    {
                        var image = source.LoadImage(row, decoder);
                        sizes[g] = (image.Width, image.Height);
                    }
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                    errors[g] = new DataError(source[row].Image, e.Message);
                }
            });
            progress?.Report(end);
        }

        var readable = sizes.OfType<(int Width, int Height)>().ToList();
        var unreadable = errors.OfType<DataError>().ToList();
        return new DataStatsReport(
            source.Count, groups.Count,
            Distribution.Of(words),
            tokens is null ? null : Distribution.Of(tokens),
            tokens?.Count(t => t > contextLength) ?? 0,
            Distribution.Of(readable.Select(s => (double)s.Width)),
            Distribution.Of(readable.Select(s => (double)s.Height)),
            [.. readable.CountBy(s => s).OrderByDescending(p => p.Value).ThenBy(p => p.Key.Width).ThenBy(p => p.Key.Height)
                .Take(topWords).Select(p => new ImageSizeCount(p.Key.Width, p.Key.Height, p.Value))],
            unreadable.Count, [.. unreadable.Take(100)],
            [.. frequency.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Take(topWords).Select(p => new WordCount(p.Key, p.Value))]);
    }

    /// <summary>
    /// The words of <paramref name="caption"/>, lower-cased: maximal runs of letters, digits and apostrophes, so
    /// "A girl's red-and-white dog ." has 6 words (a, girl's, red, and, white, dog): punctuation never counts.
    /// </summary>
    public static List<string> Words(string caption)
    {
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i <= caption.Length; i++)
        {
            bool inWord = i < caption.Length && (char.IsLetterOrDigit(caption[i]) || caption[i] == '\'');
            if (inWord && start < 0)
                start = i;
            else if (!inWord && start >= 0)
            {
                words.Add(caption[start..i].ToLowerInvariant());
                start = -1;
            }
        }
        return words;
    }
}
