using ClipUp.Data;
using ClipUp.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Eval;

/// <summary>Batched, no-grad embedding of images and texts for evaluation (eval transforms, normalised, fp32 on the CPU).</summary>
public static class Embedder
{
    /// <summary>Normalised image embeddings [N, E] of every row of <paramref name="source"/>, in row order.</summary>
    /// <exception cref="InvalidDataException">Some images could not be read: evaluation needs every one (the list names them).</exception>
    public static Tensor Images(ClipModelBase model, ImageTextSource source, Device device, int batchSize = 256, int workers = 2)
    {
        var loader = new ImageTextLoader(source, LoaderConfig.Eval(batchSize) with { Workers = workers, MaxErrorFraction = 1 },
            new ImageTransformConfig(model.Config.Vision.ImageSize));
        var dtype = model.parameters().First().dtype;
        var result = torch.zeros(source.Count, model.Config.EmbedDim);
        var seen = new bool[source.Count];
        model.eval();
        using (torch.no_grad())
        {
            foreach (var batch in loader.ReadEpoch(0))
            {
                using var scope = torch.NewDisposeScope();
                var images = batch.Images.ToTensor(device).to(dtype);
                var emb = nn.functional.normalize(model.EncodeImage(images).to(ScalarType.Float32), dim: -1).cpu();
                result.index_copy_(0, torch.tensor(batch.Indices.Select(i => (long)i).ToArray()), emb);
                foreach (var i in batch.Indices) seen[i] = true;
            }
        }
        if (loader.Errors.Count > 0)
            throw new InvalidDataException($"{loader.Errors.Count} evaluation image(s) could not be read, so the metrics would be wrong: {loader.Errors.Describe(10)}");
        if (seen.Any(s => !s)) throw new InvalidOperationException("the evaluation loader skipped rows without reporting them");
        return result;
    }

    /// <summary>Normalised text embeddings [N, E] of <paramref name="texts"/>, in order.</summary>
    public static Tensor Texts(ClipModelBase model, IReadOnlyList<string> texts, Func<IReadOnlyList<string>, Tensor> tokenize,
        Device device, int batchSize = 256)
    {
        // The per-batch parts live in this scope and only the concatenation leaves it.
        using var outer = torch.NewDisposeScope();
        var parts = new List<Tensor>();
        model.eval();
        using (torch.no_grad())
        {
            for (int start = 0; start < texts.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var chunk = texts.Skip(start).Take(batchSize).ToList();
                var emb = nn.functional.normalize(model.EncodeText(tokenize(chunk).to(device)).to(ScalarType.Float32), dim: -1).cpu();
                parts.Add(emb.MoveToOuterDisposeScope());
            }
        }
        return (parts.Count == 0 ? torch.zeros(0, model.Config.EmbedDim) : torch.cat(parts, 0)).MoveToOuterDisposeScope();
    }
}
