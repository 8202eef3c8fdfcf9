using ClipUp.Data;

namespace ClipUp.Eval;

/// <summary>
/// Retrieval ground truth from an image-caption table with several rows per image (Flickr8k/COCO style): the distinct
/// images in first-seen order, every caption, and for each caption the index of its image.
/// </summary>
public sealed record RetrievalSet(ImageTextSubset Images, IReadOnlyList<string> Captions, IReadOnlyList<int> CaptionToImage)
{
    public static RetrievalSet FromSource(ImageTextSource source)
    {
        var imageIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstRows = new List<int>();
        var captions = new List<string>();
        var toImage = new List<int>();
        for (int row = 0; row < source.Count; row++)
        {
            var r = source[row];
            if (!imageIndex.TryGetValue(r.Image, out int img))
            {
                img = imageIndex[r.Image] = firstRows.Count;
                firstRows.Add(row);
            }
            captions.Add(r.Caption);
            toImage.Add(img);
        }
        return new RetrievalSet(new ImageTextSubset(source, firstRows), captions, toImage);
    }
}
