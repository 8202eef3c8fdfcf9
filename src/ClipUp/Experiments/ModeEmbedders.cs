using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ClipUp.Io;
using ClipUp.Mode;
using ClipUp.Model;
using ClipUp.Text;
using ClipUp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Experiments;

/// <summary>
/// Builds the caption embedder a <see cref="ModeClusteringConfig.Embedder"/> names. The same embedder must embed the
/// training captions (clustering) and the task metadata (routing), so evaluation rebuilds it from the config and checks
/// its <see cref="ICaptionEmbedder.Name"/> against the one recorded in clustering.json.
/// </summary>
public static class ModeEmbedders
{
    /// <summary>Width of <c>tfidf</c> without a size: the 512 most frequent words.</summary>
    public const int DefaultTfIdfDimension = 512;

    /// <summary>
    /// <c>tfidf[:D]</c> is fitted on <paramref name="corpus"/> (the mixture's captions, deterministic, so a refit equals
    /// the original); <c>clip-text:seed</c> reads the seed run's newest checkpoint. Dispose the result when it is
    /// <see cref="IDisposable"/> (the ONNX session, the CLIP model).
    /// </summary>
    public static ICaptionEmbedder Create(string spec, IReadOnlyList<string> corpus, ModePaths paths, Device device)
    {
        var (kind, arg) = spec.IndexOf(':') is var colon and >= 0 ? (spec[..colon], spec[(colon + 1)..]) : (spec, "");
        switch (kind)
        {
            case "tfidf":
                var dim = DefaultTfIdfDimension;
                if (arg.Length > 0 && (!int.TryParse(arg, out dim) || dim < 1))
                    throw new ArgumentException($"clustering.embedder {spec}: the TF-IDF width must be a positive integer, e.g. tfidf:512");
                return TfIdfEmbedder.Fit(corpus, dim);
            case "clip-text":
                return ClipText(arg == "seed" ? SeedCheckpoint(paths) : arg, device);
            case "onnx":
                var parts = arg.Split(',');
                if (parts.Length != 2) throw new ArgumentException($"clustering.embedder {spec}: write onnx:<model.onnx>,<vocab.txt>");
                return new OnnxSentenceEmbedder(new OnnxEmbedderOptions(parts[0], parts[1]));
            default:
                throw new ArgumentException($"clustering.embedder {spec}: use tfidf, tfidf:<width>, clip-text:<checkpoint>, clip-text:seed or onnx:<model>,<vocab>");
        }
    }

    /// <summary>True when the embedder needs the seed run first (<c>clip-text:seed</c>).</summary>
    public static bool NeedsSeed(string spec) => spec == "clip-text:seed";

    /// <summary>The seed run's newest valid checkpoint.</summary>
    public static string SeedCheckpoint(ModePaths paths) =>
        Checkpoint.FindLatest(ModePaths.Checkpoints(paths.Seed))
        ?? throw new FileNotFoundException($"no seed checkpoint in {ModePaths.Checkpoints(paths.Seed)}: run `clipup mode train-seed` first");

    /// <summary>A CLIP model of the architecture stored in the checkpoint's metadata, with its weights, on <paramref name="device"/>.</summary>
    public static ClipModel LoadModel(string checkpoint, Device device)
    {
        if (!File.Exists(checkpoint)) throw new FileNotFoundException($"checkpoint {checkpoint} not found", checkpoint);
        var meta = Checkpoint.ReadMetadata(checkpoint);
        var config = System.Text.Json.JsonSerializer.Deserialize<ClipConfig>(meta["model_config"]!.ToJsonString(), JsonConfig.Options)!;
        var model = new ClipModel(config);
        Checkpoint.LoadModel(model, SafeTensors.Load(checkpoint), checkpoint);
        model.to(device);
        model.eval();
        return model;
    }

    private static ICaptionEmbedder ClipText(string checkpoint, Device device)
    {
        var model = LoadModel(checkpoint, device);
        var hash = WeightsHash(model);
        var context = model.Config.Text.ContextLength;
        return new OwningClipTextEmbedder(model, new ClipTextEmbedder(model,
            texts => ClipTokenizer.Default.Tokenize(texts, context), $"{Path.GetFileNameWithoutExtension(checkpoint)}:{hash}", device));
    }

    /// <summary>
    /// SHA-256 of the weights (keys and float32 values in key order), not of the file: a checkpoint re-saved with the
    /// same weights (new timestamp) still names the same embedder, so its cached embeddings and clustering stay valid.
    /// </summary>
    private static string WeightsHash(ClipModel model)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (key, t) in model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(key));
            using var values = t.detach().to(ScalarType.Float32).cpu().contiguous();
            sha.AppendData(MemoryMarshal.AsBytes(values.data<float>().ToArray().AsSpan()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }

    /// <summary>A <see cref="ClipTextEmbedder"/> that disposes the model it was given.</summary>
    private sealed class OwningClipTextEmbedder(ClipModel model, ClipTextEmbedder inner) : ICaptionEmbedder, IDisposable
    {
        public string Name => inner.Name;
        public int Dimension => inner.Dimension;
        public Tensor Embed(IReadOnlyList<string> captions) => inner.Embed(captions);
        public void Dispose() => model.Dispose();
    }
}
