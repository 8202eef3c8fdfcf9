using ClipUp.Mode;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Mode;

public class BalancedAssignmentTests
{
    [Fact]
    public void TheCheapestPointToMoveIsTheOneThatMoves()
    {
        // 4 points, 2 centres, 2 slots each. Unconstrained, p0..p2 all prefer c0. Moving p_i to c1 costs 10 − cost[i,0]:
        // p0 → 10, p1 → 9, p2 → 8, so p2 moves: [0, 0, 1, 1], total 0 + 1 + 10 + 0 = 11. The runner-up (p1 moves) costs 12,
        // a gap of 1 > N·ε = 4 · (1e-3 · range 10) = 0.04, so the ε-optimal answer is the optimum.
        var costs = tensor(new float[] { 0, 10, 1, 10, 2, 10, 10, 0 }).view(4, 2);
        var r = BalancedAssignment.Solve(costs);
        Assert.Equal([0L, 0, 1, 1], r.Assignment.data<long>().ToArray());
        Assert.Equal([2L, 2], r.Capacities.data<long>().ToArray());
        Assert.Equal(0, r.FallbackPoints);
        Assert.Equal(0.01, r.Epsilon, 6);
    }

    [Theory]
    [InlineData(new long[] { 3, 2 }, 5, new long[] { 3, 2 })]        // ⌊5/2⌋ = 2 each, the extra one to the preferred c0
    [InlineData(new long[] { 1, 4 }, 5, new long[] { 2, 3 })]
    [InlineData(new long[] { 2, 0, 2 }, 4, new long[] { 2, 1, 1 })]  // tie between c0 and c2: lower index wins
    [InlineData(new long[] { 4, 4 }, 8, new long[] { 4, 4 })]
    public void CapacitiesAreFloorPlusOneForTheMostPreferredCentres(long[] preferred, long points, long[] expected)
    {
        Assert.Equal(expected, BalancedAssignment.Capacities(points, tensor(preferred)).data<long>().ToArray());
    }

    [Fact]
    public void TheTotalCostIsWithinNEpsilonOfTheBruteForceOptimum()
    {
        // 6 points, 3 centres, 2 slots each: enumerate all 3^6 = 729 labelings with sizes (2,2,2).
        var g = new Generator(7);
        var costs = rand(6, 3, generator: g);
        var c = costs.data<float>().ToArray();
        var best = double.MaxValue;
        for (var code = 0; code < 729; code++)
        {
            var labels = new int[6];
            for (int i = 0, v = code; i < 6; i++, v /= 3) labels[i] = v % 3;
            if (Enumerable.Range(0, 3).Any(k => labels.Count(l => l == k) != 2)) continue;
            best = Math.Min(best, labels.Select((l, i) => (double)c[i * 3 + l]).Sum());
        }
        var r = BalancedAssignment.Solve(costs);
        var a = r.Assignment.data<long>().ToArray();
        var total = a.Select((l, i) => (double)c[i * 3 + l]).Sum();
        Assert.All(Enumerable.Range(0, 3), k => Assert.Equal(2, a.Count(l => l == k)));
        Assert.InRange(total, best, best + 6 * r.Epsilon + 1e-6);
    }

    [Fact]
    public void SizesAreExactOnRandomDataWithARemainder()
    {
        // N = 103, K = 7: 103 = 7·14 + 5, so five centres take 15 and two take 14 (max − min ≤ 1).
        var g = new Generator(3);
        var r = BalancedAssignment.Solve(rand(103, 7, generator: g));
        var sizes = bincount(r.Assignment, minlength: 7).data<long>().ToArray();
        Assert.Equal(r.Capacities.data<long>().ToArray(), sizes);
        Assert.Equal(5, sizes.Count(s => s == 15));
        Assert.Equal(2, sizes.Count(s => s == 14));
    }

    [Fact]
    public void TheGreedyFallbackStillFillsEveryCentreExactly()
    {
        var g = new Generator(5);
        var r = BalancedAssignment.Solve(rand(20, 4, generator: g), maxRounds: 0);
        Assert.Equal(20, r.FallbackPoints);
        Assert.Equal([5L, 5, 5, 5], bincount(r.Assignment, minlength: 4).data<long>().ToArray());
    }

    [Theory]
    [InlineData(0)]                                          // every round on tensors
    [InlineData(BalancedAssignment.DefaultArrayRoundsBelow)] // every round on arrays (60 points)
    public void TheAuctionMatchesThePyTorchReferenceOnAFixedMatrix(int arrayRoundsBelow)
    {
        // Golden value: `/usr/bin/python3 bench/reference/kmeans_reference.py --parity` (torch 1.13, CPU), which runs the
        // same auction on cost[i, c] = 1 + sin(1.3 i + 0.7 c) in float32, 60 points, 7 centres (capacities 9 or 8).
        long[] expected =
        [
            6, 5, 3, 1, 0, 6, 4, 3, 1, 0, 5, 4, 2, 1, 0, 5, 4, 2, 1, 6, 5, 3, 2, 0, 6, 5, 3, 2, 0, 6,
            4, 3, 1, 0, 6, 4, 3, 1, 0, 5, 4, 2, 1, 0, 5, 4, 2, 1, 6, 5, 3, 2, 1, 6, 5, 3, 2, 0, 6, 4,
        ];
        var costs = new float[60 * 7];
        for (var i = 0; i < 60; i++)
            for (var c = 0; c < 7; c++) costs[i * 7 + c] = (float)(1.0 + Math.Sin(1.3 * i + 0.7 * c));
        var r = BalancedAssignment.Solve(tensor(costs, [60, 7]), arrayRoundsBelow: arrayRoundsBelow);
        Assert.Equal(expected, r.Assignment.data<long>().ToArray());
        Assert.Equal(30, r.Rounds);
    }

    [Theory]
    [InlineData(1, 3000, 64)]
    [InlineData(2, 1001, 7)]
    public void TheArrayEndGameGivesTheSameAssignmentAsTensorRounds(int seed, int points, int centres)
    {
        var g = new Generator((ulong)seed);
        var costs = rand(points, centres, generator: g);
        var tensors = BalancedAssignment.Solve(costs, arrayRoundsBelow: 0);
        var arrays = BalancedAssignment.Solve(costs, arrayRoundsBelow: points / 2);
        Assert.Equal(tensors.Assignment.data<long>().ToArray(), arrays.Assignment.data<long>().ToArray());
        Assert.Equal(tensors.Rounds, arrays.Rounds);
    }

    [Fact]
    public void TheArrayEndGameStopsAtMaxRoundsAndTheFallbackFillsExactly()
    {
        var g = new Generator(9);
        var r = BalancedAssignment.Solve(rand(400, 16, generator: g), maxRounds: 3, arrayRoundsBelow: 400);
        Assert.Equal(3, r.Rounds);
        Assert.True(r.FallbackPoints > 0);
        Assert.Equal(Enumerable.Repeat(25L, 16), bincount(r.Assignment, minlength: 16).data<long>().ToArray());
    }

    [Fact]
    public void CapacitiesThatDoNotSumToNAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => BalancedAssignment.Solve(zeros(4, 2), tensor(new long[] { 1, 1 })));
        Assert.Contains("sum to N = 4, got sum 2", e.Message);
    }
}
