namespace ClipUp.Mode;

/// <summary>
/// The last rounds of <see cref="BalancedAssignment.Solve"/>'s Jacobi auction on plain CPU arrays. Near the end only a
/// handful of points are unassigned, but each tensor round still costs a dozen kernel launches and sorts (about 0.5 ms),
/// and balanced k-means on 73k captions spends 10,000–20,000 such rounds per Lloyd iteration. Here a round costs
/// O(U·K + holders of the centres bid for). Same rules, same float32 arithmetic and the same tie order as the tensor
/// rounds (tested on the reference's golden matrix and on random costs); only the order of exactly tied values may differ
/// from libtorch's topk, which picks either of two equal centres.
/// </summary>
internal sealed class AuctionEndGame
{
    private readonly float[] cost;      // [N, K] row-major
    private readonly int n, k;
    private readonly long[] assign;     // centre of each point, −1 when unassigned
    private readonly float[] held;      // the bid each holder paid
    private readonly float[] price;     // [K]
    private readonly long[] cap;        // [K]
    private readonly float eps;
    private readonly List<int>[] members;   // the points each centre holds

    public AuctionEndGame(float[] cost, int n, int k, long[] assign, float[] held, float[] price, long[] cap, double eps)
    {
        (this.cost, this.n, this.k, this.assign, this.held, this.price, this.cap, this.eps) = (cost, n, k, assign, held, price, cap, (float)eps);
        members = new List<int>[k];
        for (var c = 0; c < k; c++) members[c] = [];
        for (var i = 0; i < n; i++) if (assign[i] >= 0) members[assign[i]].Add(i);
    }

    /// <summary>Runs rounds until every point is assigned or <paramref name="maxRounds"/>; returns the rounds run.</summary>
    public int Run(int rounds, int maxRounds)
    {
        var unassigned = new List<int>();
        for (var i = 0; i < n; i++) if (assign[i] < 0) unassigned.Add(i);
        var evicted = new List<int>();
        var bidders = new List<(int Point, float Bid)>[k];
        for (var c = 0; c < k; c++) bidders[c] = [];
        var targeted = new List<int>();
        for (; rounds < maxRounds; rounds++)
        {
            if (unassigned.Count == 0) break;
            targeted.Clear();
            foreach (var u in unassigned)
            {
                var (target, bid) = Bid(u);
                if (bidders[target].Count == 0) targeted.Add(target);
                bidders[target].Add((u, bid));
            }
            foreach (var c in targeted)
            {
                // Candidates in the tensor rounds' order: holders by point index, then newcomers by point index; a
                // stable sort by descending bid keeps that order among equal bids.
                var candidates = new List<(int Point, float Bid)>(members[c].Count + bidders[c].Count);
                foreach (var p in members[c].Order()) candidates.Add((p, held[p]));
                candidates.AddRange(bidders[c]);
                var sorted = candidates.Select((x, order) => (x.Point, x.Bid, order))
                    .OrderByDescending(x => x.Bid).ThenBy(x => x.order).ToList();
                var keep = (int)Math.Min(cap[c], sorted.Count);
                members[c].Clear();
                for (var j = 0; j < sorted.Count; j++)
                {
                    if (j >= keep) { assign[sorted[j].Point] = -1; evicted.Add(sorted[j].Point); continue; }
                    assign[sorted[j].Point] = c;
                    held[sorted[j].Point] = sorted[j].Bid;
                    members[c].Add(sorted[j].Point);
                }
                if (cap[c] > 0 && sorted.Count >= cap[c]) price[c] = sorted[keep - 1].Bid;
                bidders[c].Clear();
            }
            // Next round's bidders, by point index as the tensor rounds take them: this round's losers.
            evicted.Sort();
            (unassigned, evicted) = (evicted, unassigned);
            evicted.Clear();
        }
        return rounds;
    }

    /// <summary>The best centre of point <paramref name="u"/> at current prices and its bid: price + (best − second) + ε.</summary>
    private (int Target, float Bid) Bid(int u)
    {
        if (k == 1) return (0, eps);
        int best = -1, second = -1;
        float bestValue = float.NegativeInfinity, secondValue = float.NegativeInfinity;
        var row = u * k;
        for (var c = 0; c < k; c++)
        {
            var value = -(cost[row + c] + price[c]);
            if (best < 0 || value > bestValue) { second = best; secondValue = bestValue; best = c; bestValue = value; }
            else if (second < 0 || value > secondValue) { second = c; secondValue = value; }
        }
        var margin = bestValue - secondValue;
        return (best, price[best] + margin + eps);
    }
}
