using ClipUp.Data;

namespace ClipUp.Tests.Data;

public class ImageTextLoaderTests
{
    static readonly ImageTransformConfig Size24 = new(24);
    static readonly InMemoryImageTextSource Shapes37 = SyntheticShapes.ToSource(SyntheticShapes.Generate(new SyntheticShapesConfig(37) { Seed = 1 }));

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static float[] Pixels(ImageTextBatch batch) => ((Float32ImageBatch)batch.Images).Data;

    static void AssertSameBatches(IReadOnlyList<ImageTextBatch> expected, IReadOnlyList<ImageTextBatch> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Position, actual[i].Position);
            Assert.Equal(expected[i].Indices, actual[i].Indices);
            Assert.Equal(expected[i].Captions, actual[i].Captions);
            Assert.Equal(Pixels(expected[i]), Pixels(actual[i]));
        }
    }

    [Fact]
    public void BatchesAreIdenticalWithOneAndFourWorkers()
    {
        var config = LoaderConfig.Train(batchSize: 8, seed: 3);
        var one = new ImageTextLoader(Shapes37, config with { Workers = 1, Prefetch = 1 }, Size24);
        var four = new ImageTextLoader(Shapes37, config with { Workers = 4, Prefetch = 6 }, Size24);
        for (int epoch = 0; epoch < 2; epoch++)
            AssertSameBatches([.. one.ReadEpoch(epoch, cancel: Ct)], [.. four.ReadEpoch(epoch, cancel: Ct)]);
    }

    [Fact]
    public void EachEpochVisitsEverySampleOnceAndDropsTheRemainder()
    {
        // 37 samples in batches of 8 with drop-last: 4 full batches (32 samples), a different shuffle each epoch.
        var loader = new ImageTextLoader(Shapes37, LoaderConfig.Train(8, seed: 3), Size24);
        Assert.Equal(4, loader.BatchesPerEpoch);
        var epoch0 = loader.ReadEpoch(0, cancel: Ct).ToList();
        var epoch1 = loader.ReadEpoch(1, cancel: Ct).ToList();
        Assert.Equal(4, epoch0.Count);
        Assert.All(epoch0, b => Assert.Equal(8, b.Count));
        Assert.Equal(32, epoch0.SelectMany(b => b.Indices).Distinct().Count());
        Assert.NotEqual(epoch0.SelectMany(b => b.Indices), epoch1.SelectMany(b => b.Indices));
        Assert.Equal(new LoaderPosition(1, 0), epoch0[^1].Next);
        Assert.Equal(Shapes37[epoch0[0].Indices[3]].Caption, epoch0[0].Captions[3]);
    }

    [Fact]
    public void EvaluationKeepsSourceOrderAndTheLastPartialBatch()
    {
        var loader = new ImageTextLoader(Shapes37, LoaderConfig.Eval(16), Size24);
        var batches = loader.ReadEpoch(0, cancel: Ct).ToList();
        Assert.Equal([16, 16, 5], batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 37), batches.SelectMany(b => b.Indices));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)] // the resume point is in epoch 0, and the run continues into epochs 1 and 2
    [InlineData(6)]
    public void ResumingFromABatchsNextPositionContinuesIdentically(int k)
    {
        var config = LoaderConfig.Train(8, seed: 5) with { Workers = 2 };
        var uninterrupted = new ImageTextLoader(Shapes37, config, Size24).Read(new LoaderPosition(0, 0), Ct).Take(10).ToList();
        // A fresh loader, as after a restart, started from the position stored after batch k.
        var resumed = new ImageTextLoader(Shapes37, config, Size24).Read(uninterrupted[k].Next, Ct).Take(10 - k - 1).ToList();
        AssertSameBatches(uninterrupted[(k + 1)..], resumed);
    }

    [Fact]
    public void OneCaptionPerImagePicksOneSeededCaptionPerImageEachEpoch()
    {
        // 6 images with 5 captions each, rows grouped by image like Flickr8k.
        var images = Enumerable.Range(0, 6).Select(i => RgbImage.Filled(8, 8, (byte)(40 * i), 0, 0)).ToArray();
        var records = new List<ImageTextRecord>();
        var pixels = new List<RgbImage>();
        for (int i = 0; i < 6; i++)
            for (int c = 0; c < 5; c++)
            {
                records.Add(new ImageTextRecord($"img{i}", $"image {i} caption {c}", ImageTextRecord.NoAttributes));
                pixels.Add(images[i]);
            }
        var source = new InMemoryImageTextSource(records, pixels);
        var config = LoaderConfig.Train(3, seed: 9) with { OneCaptionPerImage = true };
        var loader = new ImageTextLoader(source, config, new ImageTransformConfig(8));
        Assert.Equal(6, loader.SamplesPerEpoch);

        var captionsPerEpoch = Enumerable.Range(0, 6).Select(e => loader.ReadEpoch(e, cancel: Ct).SelectMany(b => b.Captions).ToList()).ToList();
        foreach (var captions in captionsPerEpoch)
            Assert.Equal(Enumerable.Range(0, 6), captions.Select(c => int.Parse(c.Split(' ')[1])).Order()); // every image once
        var image0Captions = captionsPerEpoch.Select(cs => cs.Single(c => c.StartsWith("image 0 "))).Distinct().Count();
        Assert.True(image0Captions > 1, "image 0 should not get the same caption in all 6 epochs");

        var again = new ImageTextLoader(source, config, new ImageTransformConfig(8));
        Assert.Equal(captionsPerEpoch[4], again.ReadEpoch(4, cancel: Ct).SelectMany(b => b.Captions));
    }

    /// <summary>20 PNG files, of which 3 are broken: zero bytes, text, and a truncated image.</summary>
    static CsvImageTextSource TwentyFilesThreeBroken(TempDir dir)
    {
        Directory.CreateDirectory(dir.File("images"));
        var lines = new List<string> { "image\tcaption" };
        for (int i = 0; i < 20; i++)
        {
            string name = $"{i:D2}.png";
            var png = TestImages.Png(RgbImage.Filled(16, 16, (byte)(10 * i), 50, 90));
            byte[] bytes = i switch
            {
                4 => [],
                11 => "not an image"u8.ToArray(),
                17 => png[..(png.Length / 2)],
                _ => png,
            };
            File.WriteAllBytes(Path.Combine(dir.File("images"), name), bytes);
            lines.Add($"{name}\tpicture {i}");
        }
        File.WriteAllText(dir.File("train.tsv"), string.Join('\n', lines));
        return new CsvImageTextSource(CsvSourceOptions.Split(dir.Path, "train"));
    }

    [Fact]
    public void UnreadableFilesAreSkippedCountedAndNamed()
    {
        using var dir = new TempDir();
        var source = TwentyFilesThreeBroken(dir);
        // MaxErrorFraction 0.15 allows floor(0.15 * 20) = 3 bad files.
        var loader = new ImageTextLoader(source, LoaderConfig.Eval(6) with { MaxErrorFraction = 0.15 }, new ImageTransformConfig(16));
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var batches = loader.ReadEpoch(epoch, cancel: Ct).ToList();
            Assert.Equal(Enumerable.Range(0, 20).Except([4, 11, 17]), batches.SelectMany(b => b.Indices));
            Assert.Equal(3, batches.Sum(b => b.Skipped.Count));
        }
        var errors = loader.Errors;
        Assert.Equal(3, errors.Count); // once per file, not once per epoch
        Assert.Equal(["04.png", "11.png", "17.png"], errors.Items.Select(e => Path.GetFileName(e.File)));
        Assert.Contains("0 bytes", errors.Items[0].Reason);
        Assert.Contains("truncated", errors.Items[2].Reason);
    }

    [Fact]
    public void TooManyUnreadableFilesStopTheLoaderWithTheirNames()
    {
        using var dir = new TempDir();
        var source = TwentyFilesThreeBroken(dir);
        // MaxErrorFraction 0.1 allows floor(0.1 * 20) = 2: the third bad file stops the loader.
        var loader = new ImageTextLoader(source, LoaderConfig.Eval(6) with { MaxErrorFraction = 0.1 }, new ImageTransformConfig(16));
        var e = Assert.Throws<DataErrorLimitException>(() => loader.ReadEpoch(0, cancel: Ct).ToList());
        Assert.Equal(3, e.Errors.Count);
        Assert.Contains("3 of 20 images are unreadable", e.Message);
        foreach (var name in new[] { "04.png", "11.png", "17.png" })
            Assert.Contains(name, e.Message);
    }

    [Fact]
    public void ATrainingBatchThatLosesImagesIsRefilledFromTheNextSamples()
    {
        using var dir = new TempDir();
        var source = TwentyFilesThreeBroken(dir);
        var config = LoaderConfig.Train(6, seed: 4) with { MaxErrorFraction = 0.15 };
        // The 17 readable samples of each epoch in its shuffled order (a one-epoch read keeps partial batches).
        var readable = new ImageTextLoader(source, config with { DropLast = false }, new ImageTransformConfig(16))
            .ReadEpoch(0, cancel: Ct).SelectMany(b => b.Indices).ToList();
        Assert.Equal(17, readable.Count);
        var batches = new ImageTextLoader(source, config, new ImageTransformConfig(16)).Read(new LoaderPosition(0, 0), Ct).Take(6).ToList();
        // Every step sees 6 readable samples: 17 = 6 + 6 + 5, so epoch 0 gives two full batches and drops 5.
        Assert.All(batches, b => Assert.Equal(6, b.Count));
        Assert.Equal(readable.Take(12), batches.Take(2).SelectMany(b => b.Indices));
        Assert.All(batches, b => Assert.DoesNotContain(b.Indices, i => i is 4 or 11 or 17));
        Assert.Equal([0, 0, 1, 1, 2, 2], batches.Select(b => b.Position.Epoch));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void ResumingARefilledReadContinuesIdentically(int k)
    {
        using var dir = new TempDir();
        var source = TwentyFilesThreeBroken(dir);
        var config = LoaderConfig.Train(6, seed: 4) with { MaxErrorFraction = 0.15 };
        var uninterrupted = new ImageTextLoader(source, config, new ImageTransformConfig(16)).Read(new LoaderPosition(0, 0), Ct).Take(6).ToList();
        var resumed = new ImageTextLoader(source, config, new ImageTransformConfig(16)).Read(uninterrupted[k].Next, Ct).Take(6 - k - 1).ToList();
        AssertSameBatches(uninterrupted[(k + 1)..], resumed);
    }

    [Fact]
    public void AnEpochWithoutOneReadableImageStopsTheReadInsteadOfSpinning()
    {
        using var dir = new TempDir();
        var source = TwentyFilesThreeBroken(dir);
        foreach (var f in Directory.GetFiles(dir.File("images"))) File.WriteAllBytes(f, []);
        var loader = new ImageTextLoader(source, LoaderConfig.Train(6, seed: 0) with { MaxErrorFraction = 1 }, new ImageTransformConfig(16));
        var e = Assert.Throws<InvalidDataException>(() => loader.Read(new LoaderPosition(0, 0), Ct).First());
        Assert.Contains("no image of the source could be read", e.Message);
    }

    [Fact]
    public void AMissingImageFileIsADataErrorNotACrash()
    {
        using var dir = new TempDir();
        var source = TwentyFilesThreeBroken(dir);
        File.Delete(Path.Combine(dir.File("images"), "07.png"));
        var loader = new ImageTextLoader(source, LoaderConfig.Eval(20) with { MaxErrorFraction = 0.2 }, new ImageTransformConfig(16));
        var batch = Assert.Single(loader.ReadEpoch(0, cancel: Ct));
        Assert.Equal(16, batch.Count);
        Assert.Contains(batch.Skipped, e => e.File.EndsWith("07.png", StringComparison.Ordinal) && e.Reason.Contains("07.png"));
    }

    [Fact]
    public void Uint8BatchesGiveTheSameTensorAsFloat32Batches()
    {
        var config = LoaderConfig.Train(8, seed: 2);
        var asFloat = new ImageTextLoader(Shapes37, config, Size24).ReadEpoch(0, cancel: Ct).First();
        var asBytes = new ImageTextLoader(Shapes37, config with { Pixels = PixelFormat.Uint8 }, Size24).ReadEpoch(0, cancel: Ct).First();
        Assert.IsType<Uint8ImageBatch>(asBytes.Images);
        using var a = asFloat.Images.ToTensor();
        using var b = asBytes.Images.ToTensor();
        Assert.Equal([8L, 3, 24, 24], a.shape);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray()); // uint8 + device normalisation == CPU normalisation
    }

    [Fact]
    public void ToTensorReturnsAFreshCopyOfThePixels()
    {
        var batch = new Float32ImageBatch(1, 2, [.. Enumerable.Range(0, 12).Select(i => (float)i)]);
        using var t = batch.ToTensor();
        batch.Data[0] = 99f;
        Assert.Equal(0f, t[0, 0, 0, 0].item<float>());
    }

    [Fact]
    public void StoppingEarlyReturnsPromptlyFromAnEndlessRead()
    {
        var loader = new ImageTextLoader(Shapes37, LoaderConfig.Train(4, seed: 0) with { Workers = 2, Prefetch = 2 }, Size24);
        // Returning at all is the check: First() disposes the endless enumeration, which must stop its producer.
        var first = loader.Read(new LoaderPosition(0, 0), Ct).First();
        Assert.Equal(4, first.Count);
    }

    [Fact]
    public void ImpossibleLoaderSettingsAreRejectedWithTheirValues()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => (LoaderConfig.Train(8, 0) with { Workers = 0 }).Validate());
        Assert.Contains("Workers must be at least 1", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => (LoaderConfig.Train(8, 0) with { MaxErrorFraction = 1.5 }).Validate());
        Assert.Contains("1.5", e.Message);
    }

    [Fact]
    public void ABatchLargerThanAnEpochWithDropLastIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageTextLoader(Shapes37, LoaderConfig.Train(64, seed: 0), Size24));
        Assert.Contains("batch_size 64 exceeds the 37 samples", e.Message);
    }
}
