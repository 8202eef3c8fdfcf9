using ClipUp.Mode;

namespace ClipUp.Tests.Mode;

public sealed class OnnxSentenceEmbedderTests : IDisposable
{
    // WordPiece ids: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4, cat 5, dog 6, red 7, ##s 8.
    private static readonly string[] Vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cat", "dog", "red", "##s"];

    // Hidden state of each token (H = 3). [PAD] is large so that a masking bug shows.
    private static readonly float[,] Embedding =
    {
        { 9, 9, 9 }, { 0, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 0 }, { 0, 0, 4 }, { 2, 0, 0 }, { 0, 2, 0 }, { 0, 0, 2 },
    };

    private readonly string dir = Path.Combine(Path.GetTempPath(), $"clipup-onnx-{Guid.NewGuid():N}");

    public OnnxSentenceEmbedderTests()
    {
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), Vocab);
        TinyOnnxModel.Write(Path.Combine(dir, "plain.onnx"), Embedding, withPooler: false);
        TinyOnnxModel.Write(Path.Combine(dir, "pooled.onnx"), Embedding, withPooler: true);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private OnnxSentenceEmbedder Make(string model, OnnxPooling pooling) =>
        new(new OnnxEmbedderOptions(Path.Combine(dir, model), Path.Combine(dir, "vocab.txt"), pooling));

    [Fact]
    public void MeanPoolingAveragesTheUnpaddedTokensAndNormalises()
    {
        // "cat" → [CLS] cat [SEP] = (1,0,0)+(0,0,4)+(0,1,0) = (1,1,4)/3 → /‖·‖ = (1,1,4)/√18 = (0.2357023, 0.2357023, 0.9428090).
        // "Red dog" → [CLS] red dog [SEP] = (3,3,0)/4 → (0.7071068, 0.7071068, 0). "cat" is padded with one [PAD] (9,9,9)
        // in this batch; the mask must keep it out.
        using var embedder = Make("plain.onnx", OnnxPooling.Mean);
        var e = embedder.Embed(["cat", "Red dog"]);
        Assert.Equal(new long[] { 2, 3 }, e.shape);
        Assert.Equal([0.2357023f, 0.2357023f, 0.9428090f, 0.7071068f, 0.7071068f, 0f], e.data<float>().ToArray(), new FloatTolerance(1e-6f));
        Assert.Equal(3, embedder.Dimension);
    }

    [Fact]
    public void WordPieceSplitsAndLowerCasesLikeBertUncased()
    {
        using var embedder = Make("plain.onnx", OnnxPooling.Mean);
        Assert.Equal([2, 5, 8, 3], embedder.TokenIds("CATS"));   // [CLS] cat ##s [SEP]
    }

    [Fact]
    public void ClsPoolingTakesTheFirstToken()
    {
        using var embedder = Make("plain.onnx", OnnxPooling.Cls);
        Assert.Equal([1f, 0, 0, 1, 0, 0], embedder.Embed(["cat", "red dog"]).data<float>().ToArray());
    }

    [Fact]
    public void AutoPoolingUsesPoolerOutputWhenTheModelHasIt()
    {
        // The tiny pooler is the unmasked mean, so for a single caption it equals mean pooling: (1,1,4)/√18.
        using var pooled = Make("pooled.onnx", OnnxPooling.Auto);
        using var plain = Make("plain.onnx", OnnxPooling.Auto);
        Assert.Equal(OnnxPooling.Pooler, pooled.Pooling);
        Assert.Equal(OnnxPooling.Cls, plain.Pooling);
        Assert.Equal([0.2357023f, 0.2357023f, 0.9428090f], pooled.Embed(["cat"]).data<float>().ToArray(), new FloatTolerance(1e-6f));
        Assert.StartsWith("onnx:pooled:", pooled.Name);
        Assert.NotEqual(pooled.Name, plain.Name);
    }

    [Fact]
    public void BatchingDoesNotChangeTheEmbeddings()
    {
        string[] captions = ["cat", "red dog", "dogs", "red red cat", "dog"];
        using var whole = Make("plain.onnx", OnnxPooling.Mean);
        using var small = new OnnxSentenceEmbedder(new OnnxEmbedderOptions(Path.Combine(dir, "plain.onnx"), Path.Combine(dir, "vocab.txt"), OnnxPooling.Mean, BatchSize: 2));
        var a = whole.Embed(captions);
        Assert.True(TorchSharp.torch.allclose(a, small.Embed(captions), 1e-6, 1e-6));
        Assert.True(TorchSharp.torch.allclose(a.norm(1), TorchSharp.torch.ones(5), 1e-6, 1e-6));
    }

    [Fact]
    public void AMissingPoolerIsRejectedWithTheOutputs()
    {
        var e = Assert.Throws<InvalidDataException>(() => Make("plain.onnx", OnnxPooling.Pooler));
        Assert.Contains("no 'pooler_output' (outputs: last_hidden_state)", e.Message);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
