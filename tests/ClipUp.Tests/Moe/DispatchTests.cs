using ClipUp.Model;
using ClipUp.Moe;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipUp.Tests.Moe;

public class DispatchTests
{
    // vmoe moe_test's scenario: 3 tokens, 3 experts, capacity 2, gates used as they are (raw).
    private static Tensor VmoeGates() => torch.tensor(new float[,] { { .4f, .0f, .2f }, { .5f, .1f, .4f }, { .3f, .2f, .6f } });

    [Theory]
    // Top-2 choices: t0 → (e0 .4, e2 .2); t1 → (e0 .5, e2 .4); t2 → (e2 .6, e0 .3). First choices are placed before
    // second choices. Vanilla, position order: first choices t0→e0 slot 0, t1→e0 slot 1, t2→e2 slot 0; second
    // choices t0→e2 slot 1, t1→e2 slot 2 (dropped), t2→e0 slot 2 (dropped).
    // Assignments (k-major): t0→e0, t1→e0, t2→e2, t0→e2, t1→e2, t2→e0 at positions 0, 1, 0, 1, 2, 2.
    [InlineData(false, new float[] { .4f, 0, 0, 0, 0, .2f, /**/ 0, .5f, 0, 0, 0, 0, /**/ 0, 0, 0, 0, .6f, 0 }, new long[] { 0, 1, 0, 1, 2, 2 })]
    // BPR orders tokens by top-1 gate: t2 (.6), t1 (.5), t0 (.4). First choices t2→e2 slot 0, t1→e0 slot 0, t0→e0 slot 1;
    // second choices t2→e0 slot 2 (dropped), t1→e2 slot 1, t0→e2 slot 2 (dropped).
    // Assignments: t2→e2, t1→e0, t0→e0, t2→e0, t1→e2, t0→e2 at positions 0, 0, 1, 2, 1, 2.
    [InlineData(true, new float[] { 0, .4f, 0, 0, 0, 0, /**/ .5f, 0, 0, 0, 0, .4f, /**/ 0, 0, 0, 0, .6f, 0 }, new long[] { 0, 0, 1, 2, 1, 2 })]
    public void VanillaAndBatchPriorityRoutingFillSlotsAsInVmoe(bool batchPriority, float[] expected, long[] positions)
    {
        var gates = VmoeGates();
        var (index, topGates) = Gating.TopK(gates, 2, GateNormalization.Raw);
        var a = Assignments.FromTokenChoice(index, topGates, batchPriority ? Gating.BatchPriorityOrder(gates) : null);
        var (dispatch, combine, _) = OneHotDispatch.Masks(a, experts: 3, capacity: 2, ScalarType.Float32);
        var want = torch.tensor(expected).view(3, 3, 2);                                         // [T, E, C]
        Assert.True(combine.allclose(want, atol: 1e-7), $"combine {string.Join(", ", MoeTestData.Floats(combine))}");
        Assert.True(MoeTestData.Bitwise(dispatch, want.gt(0).to(ScalarType.Float32)));
        // The sort-based path computes the same buffer positions (≥ C means dropped).
        Assert.Equal(positions, SortedDispatch.Positions(a, 3).data<long>().ToArray());
    }

    [Fact]
    public void ExpertChoiceLetsEachExpertPickItsTopTokens()
    {
        // Columns of the gates: e0 [.4, .5, .3] picks t1 then t0; e1 [0, .1, .2] picks t2 then t1; e2 [.2, .4, .6]
        // picks t2 then t1 (vmoe moe_test GetTopItemsPerExpertTest). Token 0 goes to 1 expert, t1 to 3, t2 to 2.
        var a = ExpertChoice.Select(VmoeGates(), capacity: 2);
        var (dispatch, combine, kept) = OneHotDispatch.Masks(a, experts: 3, capacity: 2, ScalarType.Float32);
        var wantDispatch = torch.tensor(new float[] { 0, 1, 0, 0, 0, 0, /**/ 1, 0, 0, 1, 0, 1, /**/ 0, 0, 1, 0, 1, 0 }).view(3, 3, 2);
        var wantCombine = torch.tensor(new float[] { 0, .4f, 0, 0, 0, 0, /**/ .5f, 0, 0, .1f, 0, .4f, /**/ 0, 0, .2f, 0, .6f, 0 }).view(3, 3, 2);
        Assert.True(MoeTestData.Bitwise(dispatch, wantDispatch));
        Assert.True(combine.allclose(wantCombine, atol: 1e-7));
        Assert.True(kept.all().item<bool>());
    }

    [Theory]
    [InlineData(DispatchPath.OneHot)]
    [InlineData(DispatchPath.Sorted)]
    [InlineData(DispatchPath.Grouped)]
    public void TokensOverCapacityAreDroppedAsCountedByHand(DispatchPath path)
    {
        // 7 tokens, 3 experts, top-1 choices [0, 0, 1, 0, 2, 0, 1]; C = ceil(7·0.5/3) = 2.
        // Expert 0 gets t0, t1 and is full when t3 and t5 arrive → 2 dropped; e1 gets t2, t6; e2 gets t4.
        var index = torch.tensor(new long[] { 0, 0, 1, 0, 2, 0, 1 }).view(7, 1);
        var a = Assignments.FromTokenChoice(index, torch.ones(7, 1));
        int capacity = Capacity.Compute(7, 3, 1, 0.5);
        Assert.Equal(2, capacity);
        var x = torch.arange(1, 8, dtype: ScalarType.Float32).view(7, 1);                          // token t carries t + 1
        var result = Dispatch.Apply(path, x, a, 3, capacity, e => e * 10);                         // "experts" multiply by 10
        Assert.Equal([true, true, true, false, true, false, true], result.Kept.data<bool>().ToArray());
        Assert.Equal([10f, 20, 30, 0, 50, 0, 70], MoeTestData.Floats(result.Output));             // dropped rows are zero
    }

    public static TheoryData<int, double, bool, bool> Cases => new()
    {
        // topK, capacity factor, batch priority, expert choice
        { 1, 10.0, false, false },   // top-1, nothing dropped
        { 1, 0.5, false, false },    // top-1 with drops
        { 2, 10.0, false, false },   // top-2, nothing dropped
        { 2, 0.6, false, false },    // top-2 with drops
        { 2, 0.6, true, false },     // top-2 with drops, Batch Priority
        { 1, 1.3, false, true },     // expert choice
    };

    public static TheoryData<DispatchPath, int, double, bool, bool> FastCases()
    {
        var data = new TheoryData<DispatchPath, int, double, bool, bool>();
        foreach (var path in new[] { DispatchPath.Sorted, DispatchPath.Grouped })
            foreach (var row in Cases)
            {
                var (k, f, bpr, ec) = row.Data;
                data.Add(path, k, f, bpr, ec);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(FastCases))]
    public void TheFastDispatchesEqualTheOneHotReferenceInForwardAndBackward(DispatchPath path, int topK, double factor, bool bpr, bool expertChoice)
    {
        // Odd sizes: 13 tokens, width 5, hidden 7, 3 experts. The grouped path runs each expert on its own rows.
        var reference = Run(DispatchPath.OneHot, topK, factor, bpr, expertChoice);
        var fast = Run(path, topK, factor, bpr, expertChoice);
        Assert.True(MoeTestData.Bitwise(reference.Kept, fast.Kept));
        if (factor < 1 && !expertChoice) Assert.False(fast.Kept.all().item<bool>(), "this case is meant to drop assignments");
        Assert.Equal(reference.Values.Count, fast.Values.Count);
        for (int i = 0; i < reference.Values.Count; i++)
            Assert.True(MoeTestData.MaxAbsDiff(reference.Values[i], fast.Values[i]) < 1e-5,
                $"value {i} differs by {MoeTestData.MaxAbsDiff(reference.Values[i], fast.Values[i])}");
    }

    private sealed record RunResult(Tensor Kept, List<Tensor> Values);

    private static RunResult Run(DispatchPath path, int topK, double factor, bool bpr, bool expertChoice)
    {
        const int t = 13, d = 5, f = 7, e = 3;
        var g = new Generator(42);
        var x = torch.randn(t, d, generator: g).requires_grad_();
        var logits = torch.randn(t, e, generator: g).requires_grad_();
        var upstream = torch.randn(t, d, generator: g);
        using var experts = new Experts(e, d, f, Activation.Gelu, 2, new Generator(9));
        var probs = nn.functional.softmax(logits, -1);
        int capacity = Capacity.Compute(t, e, expertChoice ? 1 : topK, factor);
        Assignments a;
        if (expertChoice) a = ExpertChoice.Select(probs, capacity);
        else
        {
            var (index, gates) = Gating.TopK(probs, topK, GateNormalization.Renormalized);
            a = Assignments.FromTokenChoice(index, gates, bpr ? Gating.BatchPriorityOrder(probs) : null);
        }
        var result = Dispatch.Apply(path, x, a, experts, capacity);
        (result.Output * upstream).sum().backward();
        var values = new List<Tensor> { result.Output.detach(), x.grad!, logits.grad! };
        values.AddRange(experts.parameters().Select(p => p.grad!));
        return new RunResult(result.Kept, values);
    }
}
