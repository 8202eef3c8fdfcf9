using System.Globalization;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>Fine cluster and expert of every row.</summary>
/// <param name="Fine">Nearest fine centre per row.</param>
/// <param name="Expert">Its expert per row.</param>
public sealed record ShardAssignment(int[] Fine, int[] Expert);

/// <summary>
/// Splits a data set into per-expert shards (mode.md §1 "Assigning every sample", <c>prep_inference.py</c>): every pair
/// goes to its nearest fine centre and so to that centre's expert; expert c's data is 𝒟_c = ∪_{s∈S_c} 𝒟_s (Eq. 3).
/// </summary>
public static class ExpertShards
{
    /// <summary>
    /// Assigns rows streamed in batches (e.g. <see cref="EmbeddingFile.ReadBatches"/>), in order, on
    /// <paramref name="device"/> (default: each batch's device).
    /// </summary>
    public static ShardAssignment Assign(IEnumerable<Tensor> batches, ExpertClustering clustering, Device? device = null)
    {
        var fine = new List<int>();
        using var fineCentres = clustering.FineCentres.to(device ?? CPU);
        using var batch = batches.GetEnumerator();
        while (true)
        {
            using var scope = NewDisposeScope();       // open while MoveNext reads, so lazily read batches are freed
            if (!batch.MoveNext()) break;
            var x = (device is null ? batch.Current : batch.Current.to(device)).to(ScalarType.Float32);
            var index = Distances.Nearest(x, fineCentres.to(x.device)).Index.cpu();
            fine.AddRange(index.data<long>().Select(v => (int)v));
        }
        using var mapTensor = clustering.FineToExpert.cpu();
        var map = mapTensor.data<long>().ToArray();
        return new ShardAssignment(fine.ToArray(), fine.Select(s => (int)map[s]).ToArray());
    }

    /// <summary>Row indices of each expert, ascending.</summary>
    public static IReadOnlyList<int[]> RowsPerExpert(IReadOnlyList<int> expertOfRow, int experts)
    {
        var rows = Enumerable.Range(0, experts).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < expertOfRow.Count; i++)
        {
            var e = expertOfRow[i];
            if (e < 0 || e >= experts) throw new ArgumentException($"row {i} has expert {e}, outside [0, {experts})");
            rows[e].Add(i);
        }
        return rows.Select(r => r.ToArray()).ToArray();
    }

    /// <summary>File name of expert e's manifest: <c>expert_{e:D2}.tsv</c>.</summary>
    public static string ManifestName(int expert) => $"expert_{expert:D2}.tsv";

    /// <summary>
    /// Writes one TSV per expert into <paramref name="directory"/>: header <c>row	fine</c> (plus <c>key</c> when
    /// <paramref name="keys"/> gives an id per row, e.g. the image file), then that expert's rows ascending.
    /// Returns the paths in expert order.
    /// </summary>
    public static IReadOnlyList<string> WriteManifests(string directory, ShardAssignment assignment, int experts, IReadOnlyList<string>? keys = null)
    {
        if (keys is not null && keys.Count != assignment.Fine.Length)
            throw new ArgumentException($"{keys.Count} keys for {assignment.Fine.Length} rows: pass one key per row");
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (var (rows, e) in RowsPerExpert(assignment.Expert, experts).Select((r, e) => (r, e)))
        {
            var path = Path.Combine(directory, ManifestName(e));
            using var w = new StreamWriter(path);
            w.WriteLine(keys is null ? "row\tfine" : "row\tfine\tkey");
            foreach (var r in rows)
                w.WriteLine(keys is null
                    ? string.Create(CultureInfo.InvariantCulture, $"{r}\t{assignment.Fine[r]}")
                    : string.Create(CultureInfo.InvariantCulture, $"{r}\t{assignment.Fine[r]}\t{keys[r]}"));
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>The row indices listed in a manifest written by <see cref="WriteManifests"/>.</summary>
    public static int[] ReadManifest(string path) =>
        File.ReadLines(path).Skip(1).Where(l => l.Length > 0)
            .Select(l => int.Parse(l.AsSpan(0, l.IndexOf('\t') is var tab and >= 0 ? tab : l.Length), CultureInfo.InvariantCulture)).ToArray();
}
