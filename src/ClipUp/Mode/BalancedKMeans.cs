using ClipUp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>How k-means picks its first centres.</summary>
public enum KMeansInit
{
    /// <summary>K distinct random points (what the reference <c>kmeans_pytorch.initialize</c> does: <c>np.random.choice(N, K, replace=False)</c>).</summary>
    RandomPoints,
    /// <summary>k-means++ D² sampling (Arthur &amp; Vassilvitskii 2007).</summary>
    KMeansPlusPlus,
}

/// <summary>
/// Options of one k-means fit. Defaults follow MoDE's fine step (mode.md §1): balanced, at most 50 Lloyd iterations
/// per fit batch, random-point init, stop when (Σ_k ‖Δc_k‖)² &lt; tol (kmeans_pytorch's <c>center_shift ** 2 &lt; tol</c>;
/// its <c>fit</c> defaults to tol = 1e-3 in kernelmachine/balanced-kmeans, and MoDE passes none).
/// </summary>
/// <param name="Clusters">K.</param>
/// <param name="Balanced">Balanced assignment (<see cref="BalancedAssignment"/>) instead of plain argmin.</param>
/// <param name="MaxIterations">Lloyd iterations per fit batch.</param>
/// <param name="Tolerance">Stop when the squared sum of centre shifts falls below this.</param>
/// <param name="Init">First centres.</param>
/// <param name="AuctionEpsilon">ε of the balanced auction, as a fraction of the distance range: the reference's
/// (max − min)/50 (auction_lap). A finer 1e-3 took 12–35 s per Lloyd iteration on the cpu profile's 73k captions into
/// 1,024 clusters (2 cores) and hit the 20,000-round cap; 1/50 took 4–6 s.</param>
public sealed record KMeansOptions(int Clusters, bool Balanced = true, int MaxIterations = 50, double Tolerance = 1e-3,
    KMeansInit Init = KMeansInit.RandomPoints, double AuctionEpsilon = 0.02)
{
    public void Validate()
    {
        if (Clusters < 1) throw new ArgumentException($"k-means Clusters {Clusters} must be at least 1");
        if (MaxIterations < 1) throw new ArgumentException($"k-means MaxIterations {MaxIterations} must be at least 1");
        if (!(Tolerance >= 0)) throw new ArgumentException($"k-means Tolerance {Tolerance} must be non-negative");
        if (!(AuctionEpsilon > 0)) throw new ArgumentException($"k-means AuctionEpsilon {AuctionEpsilon} must be positive");
    }
}

/// <summary>One k-means fit on one batch.</summary>
/// <param name="Centres">float32 [K, D], on the points' device.</param>
/// <param name="Assignment">int64 [N]: the last assignment step (made with the centres before their last update).</param>
/// <param name="Iterations">Lloyd iterations run.</param>
/// <param name="Converged">Whether the shift criterion stopped it before MaxIterations.</param>
/// <param name="Inertia">Σ ‖x − c_a(x)‖² of that last assignment.</param>
public sealed record KMeansResult(Tensor Centres, Tensor Assignment, int Iterations, bool Converged, double Inertia);

/// <summary>An "online" fit over a stream of batches (files).</summary>
/// <param name="Centres">float32 [K, D] after the last batch.</param>
/// <param name="Rows">Points seen over all batches.</param>
/// <param name="IterationsPerBatch">Lloyd iterations used on each batch, in order.</param>
public sealed record OnlineKMeansResult(Tensor Centres, long Rows, IReadOnlyList<int> IterationsPerBatch);

/// <summary>
/// Balanced (Malinen &amp; Fränti 2014) or plain k-means with Euclidean distance, as MoDE's <c>prep_hrchy.py</c> runs it
/// through <c>kmeans_pytorch</c>. Axes: N points, K centres, D features. Runs on the points' device; all random draws come
/// from the given CPU <see cref="Generator"/>, so a seed fixes the result (bit-exactly on CPU; CUDA's atomic
/// <c>index_add_</c> may reorder float sums).
/// </summary>
public static class BalancedKMeans
{
    /// <summary>
    /// Lloyd iterations on one batch: assign (balanced or argmin), move each centre to the mean of its points, re-seed
    /// empty centres with a random point (as <c>kmeans_pytorch</c> does, issue #16 there).
    /// </summary>
    /// <param name="points">float [N, D]; MoDE passes L2-normalised caption embeddings.</param>
    /// <param name="initialCentres">[K, D] to start from (the online fit's previous centres), or null to initialise.</param>
    public static KMeansResult Fit(Tensor points, KMeansOptions options, Generator generator, Tensor? initialCentres = null)
    {
        options.Validate();
        RequirePoints(points, options);
        using var outer = NewDisposeScope();
        var x = points.to(ScalarType.Float32);
        var centres = initialCentres is null
            ? InitialCentres(x, options.Clusters, options.Init, generator)
            : initialCentres.to(ScalarType.Float32, x.device).clone();
        if (centres.shape[0] != options.Clusters || centres.shape[1] != x.shape[1])
            throw new ArgumentException($"initial centres must be [{options.Clusters}, {x.shape[1]}], got [{string.Join(", ", centres.shape)}]");

        Tensor assignment = null!;
        double inertia = 0;
        var iterations = 0;
        var converged = false;
        while (iterations < options.MaxIterations)
        {
            using var scope = NewDisposeScope();
            Tensor a;
            if (options.Balanced)
            {
                var d2 = Distances.SquaredEuclidean(x, centres);                              // [N, K]
                a = BalancedAssignment.Solve(d2, epsilonFraction: options.AuctionEpsilon).Assignment;
                inertia = d2.gather(1, a.unsqueeze(1)).sum().item<float>();
            }
            else
            {
                // Plain k-means needs only the argmin, so distances are formed in row chunks, never all [N, K].
                var nearest = Distances.Nearest(x, centres);
                a = nearest.Index;
                inertia = nearest.SquaredDistance.sum().item<float>();
            }
            var updated = UpdateCentres(x, a, options.Clusters, generator);
            var shift = (updated - centres).norm(1).sum().item<float>();
            centres.copy_(updated);
            assignment?.Dispose();
            assignment = a.MoveToOuterDisposeScope();
            iterations++;
            if ((double)shift * shift < options.Tolerance) { converged = true; break; }
        }
        return new KMeansResult(centres.MoveToOuterDisposeScope(), assignment.MoveToOuterDisposeScope(), iterations, converged, inertia);
    }

    /// <summary>
    /// The reference's "online" fit (<c>prep_hrchy.py::cluster_fine</c>, mode.md §1): initialise from the first batch only,
    /// then for each batch run up to MaxIterations Lloyd steps starting from the current centres; the centres become that
    /// batch's means (no running average across batches). Lets data larger than memory stream through file by file.
    /// </summary>
    /// <param name="batches">float [N_b, D] per batch; each is moved to <paramref name="device"/> (default: its own). Tensors
    /// the enumerator creates while iterating (e.g. <see cref="EmbeddingFile.ReadBatches"/>) are disposed after use.</param>
    public static OnlineKMeansResult FitOnline(IEnumerable<Tensor> batches, KMeansOptions options, Generator generator, Device? device = null)
    {
        options.Validate();
        Tensor? centres = null;
        long rows = 0;
        var iterations = new List<int>();
        using var batch = batches.GetEnumerator();
        while (true)
        {
            // The scope is open while the enumerator makes the next batch, so lazily read batches are freed each step.
            using var scope = NewDisposeScope();
            if (!batch.MoveNext()) break;
            var x = device is null ? batch.Current : batch.Current.to(device);
            var fit = Fit(x, options, generator, centres);
            centres?.Dispose();
            centres = fit.Centres.MoveToOuterDisposeScope();
            rows += x.shape[0];
            iterations.Add(fit.Iterations);
        }
        if (centres is null) throw new ArgumentException("k-means got no batches: pass at least one [N, D] tensor");
        return new OnlineKMeansResult(centres, rows, iterations);
    }

    /// <summary>First centres [K, D] (copies of points) by <paramref name="init"/>, drawn with <paramref name="generator"/>.</summary>
    public static Tensor InitialCentres(Tensor points, int clusters, KMeansInit init, Generator generator)
    {
        var n = points.shape[0];
        if (clusters > n) throw new ArgumentException($"cannot pick {clusters} initial centres from {n} points: use fewer clusters or more points");
        using var scope = NewDisposeScope();
        Tensor chosen;
        if (init == KMeansInit.RandomPoints)
        {
            chosen = randperm(n, generator: generator).narrow(0, 0, clusters);
        }
        else
        {
            var picks = new long[clusters];
            picks[0] = randint(n, [1], generator: generator).item<long>();
            var minD2 = Distances.SquaredEuclidean(points, points.narrow(0, picks[0], 1)).squeeze(1);  // [N]
            for (var j = 1; j < clusters; j++)
            {
                // D² sampling by inverse CDF: one uniform from the CPU generator, searched on the points' device.
                var cdf = minD2.to(ScalarType.Float64).cumsum(0);
                var total = cdf[-1].item<double>();
                var u = rand(1, ScalarType.Float64, generator: generator).item<double>() * total;
                var pick = total > 0
                    ? Math.Min(searchsorted(cdf, tensor(u, ScalarType.Float64, device: cdf.device), right: true).item<long>(), n - 1)
                    : randint(n, [1], generator: generator).item<long>();   // all remaining points coincide with centres
                picks[j] = pick;
                minD2 = minimum(minD2, Distances.SquaredEuclidean(points, points.narrow(0, pick, 1)).squeeze(1));
            }
            chosen = tensor(picks);
        }
        return points.index_select(0, chosen.to(points.device)).MoveToOuterDisposeScope();
    }

    /// <summary>Centres [K, D] as the means of their assigned points; a centre with no points gets a random point.</summary>
    public static Tensor UpdateCentres(Tensor points, Tensor assignment, int clusters, Generator generator)
    {
        using var scope = NewDisposeScope();
        var sums = zeros(clusters, points.shape[1], points.dtype, device: points.device).index_add_(0, assignment, points, Scalars.One);
        var counts = bincount(assignment, minlength: clusters);                                   // [K]
        var means = sums / counts.clamp_min(1).unsqueeze(1).to(points.dtype);
        var empty = (counts == 0).nonzero().squeeze(1).cpu().data<long>().ToArray();
        foreach (var c in empty)
            means[c] = points[randint(points.shape[0], [1], generator: generator).item<long>()];
        return means.MoveToOuterDisposeScope();
    }

    private static void RequirePoints(Tensor points, KMeansOptions options)
    {
        if (points.dim() != 2) throw new ArgumentException($"k-means points must be [N, D], got [{string.Join(", ", points.shape)}]");
        if (points.shape[0] < options.Clusters)
            throw new ArgumentException($"k-means batch has {points.shape[0]} points for {options.Clusters} clusters: use bigger batches or fewer clusters");
    }
}
