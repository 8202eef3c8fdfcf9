using ClipUp.Mode;

namespace ClipUp.Tests.Mode;

public class ClusterStatsTests
{
    [Fact]
    public void ImbalanceMatchesAHandComputation()
    {
        // Sizes 2, 4, 6: mean 4, population std √((4 + 0 + 4)/3) = 1.6329932, CV = 0.4082483, max/min = 3.
        var i = ClusterStats.Imbalance([2, 4, 6]);
        Assert.Equal((2L, 6L, 3.0), (i.Min, i.Max, i.MaxOverMin));
        Assert.Equal(0.4082483, i.CoefficientOfVariation, 6);
        Assert.Equal(double.PositiveInfinity, ClusterStats.Imbalance([0, 3]).MaxOverMin);
    }

    [Fact]
    public void SummariesGiveSizesTopWordsAndSamples()
    {
        string[] captions = ["a red car on a road", "a red car parked", "two dogs playing", "a dog runs", "dogs in the snow"];
        int[] labels = [0, 0, 1, 1, 1];
        var vocabulary = TfIdfVocabulary.Fit(captions);
        var s = ClusterStats.Summarise(labels, 2, captions, vocabulary, topWords: 2, samples: 2, seed: 1);
        Assert.Equal([2L, 3], s.Select(c => c.Size));
        Assert.Equal(0.6, s[1].Fraction, 12);
        Assert.Equal(["car", "red"], s[0].TopWords);       // both appear in every caption of cluster 0
        Assert.Equal(2, s[1].Samples.Count);
        Assert.All(s[1].Samples, c => Assert.Contains(c, captions[2..]));
        var frame = ClusterStats.ToDataFrame(s);
        Assert.Equal(2, frame.Rows.Count);
        Assert.Equal(["cluster", "size", "fraction", "top_words", "samples"], frame.Columns.Select(c => c.Name));
        Assert.Equal("car, red", frame["top_words"][0]);
    }

    [Fact]
    public void LabelsOutsideTheClusterRangeAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ClusterStats.Sizes([0, 3], 2));
        Assert.Contains("label 3 is outside [0, 2)", e.Message);
    }
}
