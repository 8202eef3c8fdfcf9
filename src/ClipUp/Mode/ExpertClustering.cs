using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>
/// A fitted MoDE clustering: fine centres, coarse (expert) centres and the fine→expert map (the reference's
/// <c>F1024.pth</c> <c>center</c> plus <c>F1024-C{n}.pth</c> <c>coarse</c>/<c>assign</c>). Axes: m fine clusters,
/// n experts, D embedding width. Tensors live on the CPU as float32 / int64.
/// </summary>
/// <param name="FineCentres">float32 [m, D]. Means of normalised embeddings, so their norm is below 1 (not re-normalised, as in the reference).</param>
/// <param name="CoarseCentres">float32 [n, D].</param>
/// <param name="FineToExpert">int64 [m]: the expert owning each fine cluster (nearest coarse centre).</param>
/// <param name="Method">How it was made: "two-step", "one-step".</param>
public sealed record ExpertClustering(Tensor FineCentres, Tensor CoarseCentres, Tensor FineToExpert, string Method)
{
    private const string Magic = "CLIPUPMC";
    private const int Version = 1;

    public int FineClusters => (int)FineCentres.shape[0];
    public int Experts => (int)CoarseCentres.shape[0];
    public int Dimension => (int)FineCentres.shape[1];

    /// <summary>Fine clusters S_c owned by expert c (Eq. 3: 𝒟_c = ∪_{s∈S_c} 𝒟_s).</summary>
    public IReadOnlyList<int> FineClustersOf(int expert)
    {
        if (expert < 0 || expert >= Experts) throw new ArgumentOutOfRangeException(nameof(expert), $"expert {expert} is outside [0, {Experts})");
        var map = FineToExpert.data<long>().ToArray();
        return Enumerable.Range(0, map.Length).Where(s => map[s] == expert).ToArray();
    }

    /// <summary>Nearest fine centre of each embedding (𝒟_s = {d : s = argmin ‖e_d − e_s‖²}), int64 [N] on the embeddings' device.</summary>
    public Tensor AssignFine(Tensor embeddings, long chunkRows = 65536)
    {
        using var scope = NewDisposeScope();
        var nearest = Distances.Nearest(embeddings.to(ScalarType.Float32), FineCentres.to(embeddings.device), chunkRows);
        return nearest.Index.MoveToOuterDisposeScope();
    }

    /// <summary>Expert of each embedding: its nearest fine centre's expert, int64 [N].</summary>
    public Tensor AssignExpert(Tensor embeddings, long chunkRows = 65536)
    {
        using var scope = NewDisposeScope();
        var fine = AssignFine(embeddings, chunkRows);
        return FineToExpert.to(fine.device).index_select(0, fine).MoveToOuterDisposeScope();
    }

    /// <summary>Checks shapes and map range; called by the fitters and by <see cref="Load"/>.</summary>
    public void Validate()
    {
        using var scope = NewDisposeScope();
        if (FineCentres.dim() != 2 || CoarseCentres.dim() != 2 || FineCentres.shape[1] != CoarseCentres.shape[1])
            throw new ArgumentException($"expected fine [m, D] and coarse [n, D] centres, got [{string.Join(", ", FineCentres.shape)}] and [{string.Join(", ", CoarseCentres.shape)}]");
        if (FineToExpert.dim() != 1 || FineToExpert.shape[0] != FineCentres.shape[0])
            throw new ArgumentException($"FineToExpert must be [{FineCentres.shape[0]}], got [{string.Join(", ", FineToExpert.shape)}]");
        if (FineToExpert.numel() > 0 && (FineToExpert.min().item<long>() < 0 || FineToExpert.max().item<long>() >= Experts))
            throw new ArgumentException($"FineToExpert holds ids outside [0, {Experts})");
    }

    /// <summary>
    /// Writes a little-endian binary file: "CLIPUPMC", int32 version 1, int32 m, n, D, the method (length-prefixed
    /// UTF-8), then fine centres (m·D float32), coarse centres (n·D float32), the map (m int64).
    /// </summary>
    public void Save(string path)
    {
        Validate();
        using var scope = NewDisposeScope();
        var tmp = path + ".tmp";
        using (var w = new BinaryWriter(File.Create(tmp), Encoding.UTF8))
        {
            w.Write(Encoding.ASCII.GetBytes(Magic));
            w.Write(Version);
            w.Write(FineClusters);
            w.Write(Experts);
            w.Write(Dimension);
            w.Write(Method);
            foreach (var v in FineCentres.to(ScalarType.Float32).cpu().data<float>()) w.Write(v);
            foreach (var v in CoarseCentres.to(ScalarType.Float32).cpu().data<float>()) w.Write(v);
            foreach (var v in FineToExpert.to(ScalarType.Int64).cpu().data<long>()) w.Write(v);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a file written by <see cref="Save"/>.</summary>
    public static ExpertClustering Load(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        var magic = Encoding.ASCII.GetString(r.ReadBytes(Magic.Length));
        if (magic != Magic) throw new InvalidDataException($"{path} is not a ClipUp clustering file (magic '{magic}', expected '{Magic}')");
        var version = r.ReadInt32();
        if (version != Version) throw new InvalidDataException($"{path} has clustering format version {version}; this build reads version {Version}");
        var (m, n, d) = (r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
        var method = r.ReadString();
        float[] Floats(int count) { var a = new float[count]; for (var i = 0; i < count; i++) a[i] = r.ReadSingle(); return a; }
        var fine = tensor(Floats(m * d)).view(m, d);
        var coarse = tensor(Floats(n * d)).view(n, d);
        var map = new long[m];
        for (var i = 0; i < m; i++) map[i] = r.ReadInt64();
        var result = new ExpertClustering(fine, coarse, tensor(map), method);
        result.Validate();
        return result;
    }
}
