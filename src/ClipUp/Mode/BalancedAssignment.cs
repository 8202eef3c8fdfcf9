using ClipUp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>Result of a capacity-constrained assignment.</summary>
/// <param name="Assignment">int64 [N]: the centre each point was given.</param>
/// <param name="Capacities">int64 [K]: how many points each centre had to take (sums to N).</param>
/// <param name="Rounds">Auction rounds run.</param>
/// <param name="FallbackPoints">Points placed by the greedy fallback after <c>maxRounds</c> (0 when the auction finished).</param>
/// <param name="Epsilon">The bid increment ε used (cost units): the total cost is within N·ε of the optimum when FallbackPoints is 0.</param>
public sealed record BalancedAssignmentResult(Tensor Assignment, Tensor Capacities, int Rounds, long FallbackPoints, double Epsilon);

/// <summary>
/// The balanced step of balanced k-means (Malinen &amp; Fränti 2014): assign N points to K centres so that every centre
/// gets exactly its capacity, minimising the summed cost. Axes: N points, K centres, M candidate bids.
/// <para>
/// <b>Algorithm.</b> A Jacobi ε-auction for the transportation problem (Bertsekas 1988, "auction for similar objects"):
/// each unassigned point bids for its best centre (value −cost − price) by the margin over its second best plus ε; each
/// centre keeps its <c>capacity</c> highest bids among holders and newcomers and evicts the rest; a full centre's price
/// is its lowest kept bid. When every point is assigned, ε-complementary slackness bounds the total cost by
/// optimum + N·ε for these capacities.
/// </para>
/// <para>
/// <b>Deviation from the reference.</b> MoDE uses <c>auction_lap</c> of kernelmachine/balanced-kmeans (from BASE layers),
/// where centres bid for points, ε = (max − min)/50, and the target is ⌊N/K⌋ per centre; it stops as soon as every point
/// has a bidder, so its sizes are only approximately ⌊N/K⌋ (the MoDE paper notes the result "does not enforce strict
/// balance"). Here the sizes are exact: ⌊N/K⌋ for every centre, plus one for the N mod K centres that most points prefer
/// (largest unconstrained nearest-centre counts, lower index on ties), so max − min ≤ 1. ε is a fraction of the cost range
/// (default 1e-3 here; balanced k-means passes the reference's 1/50, see <see cref="KMeansOptions.AuctionEpsilon"/>). If <c>maxRounds</c> is reached, the remaining points take, one by one in
/// order of their best cost, the cheapest centre with room: sizes stay exact but the N·ε bound no longer holds
/// (<see cref="BalancedAssignmentResult.FallbackPoints"/> reports it).
/// </para>
/// </summary>
public static class BalancedAssignment
{
    /// <summary>
    /// Capacities [K] int64 for N points: ⌊N/K⌋ each, and one more for the N mod K centres with the largest
    /// <paramref name="preferredCounts"/> (the unconstrained argmin counts); ties go to the lower index.
    /// </summary>
    public static Tensor Capacities(long points, Tensor preferredCounts)
    {
        var k = preferredCounts.shape[0];
        if (k <= 0 || points < k)
            throw new ArgumentException($"balanced assignment needs at least one point per centre: {points} points for {k} centres; use fewer clusters or bigger batches");
        using var scope = NewDisposeScope();
        var capacities = full(k, points / k, ScalarType.Int64, device: preferredCounts.device);
        var extra = points % k;
        if (extra > 0)
        {
            var (_, order) = sort(preferredCounts.to(ScalarType.Int64), dim: 0, descending: true, stable: true);
            capacities.index_add_(0, order.narrow(0, 0, extra), ones(extra, ScalarType.Int64, device: capacities.device), Scalars.One);
        }
        return capacities.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Assigns points to centres under exact capacities, minimising Σ cost[i, a(i)] up to N·ε.
    /// </summary>
    /// <param name="costs">float [N, K], e.g. squared distances.</param>
    /// <param name="capacities">int64 [K] summing to N, or null for <see cref="Capacities"/> of the argmin counts.</param>
    /// <param name="epsilonFraction">ε as a fraction of (max − min) of the costs.</param>
    /// <param name="maxRounds">Auction rounds before the greedy fallback.</param>
    /// <param name="arrayRoundsBelow">On the CPU, once at most this many points are unassigned, the rounds continue on
    /// arrays (<see cref="AuctionEndGame"/>: the same rounds, far cheaper when few points bid); 0 keeps every round on tensors.</param>
    public static BalancedAssignmentResult Solve(Tensor costs, Tensor? capacities = null, double epsilonFraction = 1e-3, int maxRounds = 20_000,
        int arrayRoundsBelow = DefaultArrayRoundsBelow)
    {
        if (costs.dim() != 2) throw new ArgumentException($"costs must be [N, K], got [{string.Join(", ", costs.shape)}]");
        if (!(epsilonFraction > 0)) throw new ArgumentOutOfRangeException(nameof(epsilonFraction), $"epsilonFraction {epsilonFraction} must be positive");
        var (n, k) = (costs.shape[0], costs.shape[1]);
        var device = costs.device;
        using var outer = NewDisposeScope();
        var cost = costs.detach();
        var cap = capacities?.to(ScalarType.Int64, device).clone() ?? Capacities(n, bincount(cost.argmin(1), minlength: k));
        if (cap.shape[0] != k || cap.sum().item<long>() != n || cap.min().item<long>() < 0)
            throw new ArgumentException($"capacities must be [{k}] non-negative and sum to N = {n}, got sum {cap.sum().item<long>()} over {cap.shape[0]} centres");

        var range = (cost.max() - cost.min()).item<float>();
        // Float32 prices ignore increments below ~1e-7 of their magnitude, so ε has a floor relative to the costs.
        var scale = Math.Max(cost.abs().max().item<float>(), 1f);
        var eps = Math.Max(range * epsilonFraction, 1e-6 * scale);

        var assign = full(n, -1L, ScalarType.Int64, device: device);
        var held = zeros(n, cost.dtype, device: device);      // the price each holder paid for its slot
        var price = zeros(k, cost.dtype, device: device);     // lowest kept bid of a full centre, 0 while it has room
        var rounds = 0;
        long fallback = 0;
        for (; ; rounds++)
        {
            using var scope = NewDisposeScope();
            var unassigned = (assign < 0).nonzero().squeeze(1);
            if (unassigned.shape[0] == 0) break;
            if (unassigned.shape[0] <= arrayRoundsBelow && device.type == DeviceType.CPU && rounds < maxRounds)
            {
                rounds = FinishOnArrays(cost, cap, assign, held, price, eps, rounds, maxRounds);
                // The end game stops with every point placed, or at maxRounds: then the fallback places the rest.
                var left = (assign < 0).nonzero().squeeze(1);
                if (left.shape[0] > 0)
                {
                    fallback = left.shape[0];
                    GreedyFill(cost, cap, assign, left);
                }
                break;
            }
            if (rounds >= maxRounds)
            {
                fallback = unassigned.shape[0];
                GreedyFill(cost, cap, assign, unassigned);
                break;
            }
            var values = (cost.index_select(0, unassigned) + price).neg_();         // [U, K]
            Tensor target, bid;
            if (k == 1)
            {
                target = zeros(unassigned.shape[0], ScalarType.Int64, device: device);
                bid = full(unassigned.shape[0], eps, cost.dtype, device: device);
            }
            else
            {
                var (top, topIndex) = values.topk(2, dim: 1);                      // [U, 2]
                target = topIndex.select(1, 0);
                bid = price.index_select(0, target) + (top.select(1, 0) - top.select(1, 1)) + eps;
            }
            // Only centres that received a bid can change; their holders compete again with the newcomers.
            var targeted = zeros(k, ScalarType.Bool, device: device).index_fill_(0, target, true);
            var holders = (assign >= 0).logical_and_(targeted.index_select(0, assign.clamp_min(0))).nonzero().squeeze(1);
            var candCentre = cat([assign.index_select(0, holders), target]);        // [M]
            var candBid = cat([held.index_select(0, holders), bid]);
            var candPoint = cat([holders, unassigned]);

            // Group candidates by centre with the highest bids first: sort by bid, then stably by centre.
            var (_, byBid) = sort(candBid, dim: 0, descending: true, stable: true);
            var (sortedCentre, byCentre) = sort(candCentre.index_select(0, byBid), dim: 0, stable: true);
            var perm = byBid.index_select(0, byCentre);
            var sortedBid = candBid.index_select(0, perm);
            var sortedPoint = candPoint.index_select(0, perm);
            var counts = bincount(sortedCentre, minlength: k);                       // [K]
            var starts = counts.cumsum(0) - counts;
            var rank = arange(sortedCentre.shape[0], ScalarType.Int64, device: device) - starts.index_select(0, sortedCentre);
            var keep = rank < cap.index_select(0, sortedCentre);

            var keptPoint = sortedPoint.masked_select(keep);
            assign.index_fill_(0, candPoint, -1L);
            assign.index_copy_(0, keptPoint, sortedCentre.masked_select(keep));
            held.index_copy_(0, keptPoint, sortedBid.masked_select(keep));
            var isFull = counts.ge(cap).logical_and_(cap > 0);
            var lowestKept = sortedBid.index_select(0, (starts + cap - 1).clamp(0, sortedBid.shape[0] - 1));
            price.copy_(where(isFull, lowestKept, price));
        }
        return new BalancedAssignmentResult(assign.MoveToOuterDisposeScope(), cap.MoveToOuterDisposeScope(), rounds, fallback, eps);
    }

    /// <summary>The default of Solve's arrayRoundsBelow.</summary>
    public const int DefaultArrayRoundsBelow = 4096;

    /// <summary>Runs <see cref="AuctionEndGame"/> from the tensors' state and writes its state back; returns the rounds.</summary>
    private static int FinishOnArrays(Tensor cost, Tensor cap, Tensor assign, Tensor held, Tensor price, double eps, int rounds, int maxRounds)
    {
        var (n, k) = ((int)cost.shape[0], (int)cost.shape[1]);
        var a = assign.data<long>().ToArray();
        var h = held.to(ScalarType.Float32).data<float>().ToArray();
        var p = price.to(ScalarType.Float32).data<float>().ToArray();
        var game = new AuctionEndGame(cost.to(ScalarType.Float32).contiguous().data<float>().ToArray(), n, k, a, h, p,
            cap.data<long>().ToArray(), eps);
        rounds = game.Run(rounds, maxRounds);
        assign.copy_(tensor(a));
        held.copy_(tensor(h));
        price.copy_(tensor(p));
        return rounds;
    }

    /// <summary>Places the still-unassigned points, cheapest first, on their cheapest centre that has room.</summary>
    private static void GreedyFill(Tensor cost, Tensor cap, Tensor assign, Tensor unassigned)
    {
        var used = bincount(assign.masked_select(assign >= 0), minlength: (int)cap.shape[0]);
        var room = (cap - used).cpu().data<long>().ToArray();
        var sub = cost.index_select(0, unassigned).cpu();                                 // [U, K]
        var order = sub.min(1).values.argsort(0).data<long>().ToArray();
        var ids = unassigned.cpu().data<long>().ToArray();
        var k = room.Length;
        var result = new long[ids.Length];
        var rowCost = new float[k];
        foreach (var u in order)
        {
            sub[u].to(ScalarType.Float32).data<float>().CopyTo(rowCost);
            var best = -1;
            for (var c = 0; c < k; c++)
                if (room[c] > 0 && (best < 0 || rowCost[c] < rowCost[best])) best = c;
            room[best]--;
            result[u] = best;
        }
        assign.index_copy_(0, unassigned, tensor(result, device: assign.device));
    }
}
