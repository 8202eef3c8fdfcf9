namespace ClipUp.Data;

/// <summary>
/// Ground truth of an image-text retrieval benchmark (COCO 5k, Flickr30k 1k, our Flickr8k val): I distinct images,
/// N captions, and for every caption the image it describes. This is what
/// <c>ClipUp.Eval.Retrieval.Compute(imageEmbeds [I, E], textEmbeds [N, E], CaptionToImage)</c> consumes: embed
/// <see cref="Images"/> in order (image j is row <c>ImageRows[j]</c> of the source, so
/// <c>new ImageTextSubset(source, set.ImageRows)</c> feeds them to a loader) and <see cref="Captions"/> in order.
/// </summary>
/// <param name="Images">Image identifiers (file paths, or <c>shard#key</c>), each once, in first-appearance order.</param>
/// <param name="Captions">Every caption, in source row order.</param>
/// <param name="CaptionToImage">For caption i, the index j of its image in <see cref="Images"/>.</param>
/// <param name="ImageRows">For image j, the first row of the source it was built from that shows it.</param>
public sealed record RetrievalSet(IReadOnlyList<string> Images, IReadOnlyList<string> Captions,
    IReadOnlyList<int> CaptionToImage, IReadOnlyList<int> ImageRows)
{
    /// <summary>For each image, the indices of its captions (image-to-text ground truth), ascending.</summary>
    public IReadOnlyList<IReadOnlyList<int>> ImageToCaptions()
    {
        var lists = Images.Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < CaptionToImage.Count; i++)
            lists[CaptionToImage[i]].Add(i);
        return lists;
    }

    /// <summary>Throws when the lists disagree: lengths, image indices out of range, or an image without captions.</summary>
    public RetrievalSet Validate()
    {
        if (Captions.Count != CaptionToImage.Count)
            throw new ArgumentException($"{Captions.Count} captions but {CaptionToImage.Count} CaptionToImage entries: give one per caption");
        if (Images.Count != ImageRows.Count)
            throw new ArgumentException($"{Images.Count} images but {ImageRows.Count} ImageRows entries: give one per image");
        foreach (int bad in CaptionToImage.Where(j => j < 0 || j >= Images.Count).Take(1))
            throw new ArgumentException($"CaptionToImage holds {bad}, outside [0, {Images.Count})");
        var seen = new bool[Images.Count];
        foreach (int j in CaptionToImage)
            seen[j] = true;
        int lonely = Array.IndexOf(seen, false);
        if (lonely >= 0)
            throw new ArgumentException($"image {lonely} ('{Images[lonely]}') has no caption; every image needs at least one");
        return this;
    }

    /// <summary>Groups the rows of <paramref name="source"/> by image: one caption per row, images in first-appearance order.</summary>
    public static RetrievalSet FromSource(ImageTextSource source)
    {
        var groups = source.RowsByImage();
        var captionToImage = new int[source.Count];
        for (int j = 0; j < groups.Count; j++)
            foreach (int row in groups[j])
                captionToImage[row] = j;
        return new RetrievalSet(
            [.. groups.Select(rows => source[rows[0]].Image)],
            [.. Enumerable.Range(0, source.Count).Select(i => source[i].Caption)],
            captionToImage,
            [.. groups.Select(rows => rows[0])]).Validate();
    }

    /// <summary>
    /// The standard retrieval benchmark of a Karpathy split file: by default its <c>test</c> split (COCO 5k,
    /// Flickr30k 1k), never merged with <c>restval</c>.
    /// </summary>
    public static RetrievalSet FromKarpathy(string jsonPath, string split = "test", string? imageRoot = null)
        => FromSource(new KarpathySplitSource(new KarpathyOptions(jsonPath, split) { ImageRoot = imageRoot, MergeRestval = false }));

    /// <summary>
    /// From a table with several rows (captions) per image, such as Flickr8k's <c>val.tsv</c> (1,000 images,
    /// 5,000 captions): rows are grouped by the image column.
    /// </summary>
    public static RetrievalSet FromTable(CsvSourceOptions options) => FromSource(new CsvImageTextSource(options));
}
