"""PyTorch reference of ClipUp's MoDE k-means (src/ClipUp/Mode/BalancedKMeans.cs + BalancedAssignment.cs), for the
clustering benchmark: 1M x 512 embeddings -> 1024 fine clusters on one GPU, timed per Lloyd iteration.

    /usr/bin/python3 bench/reference/kmeans_reference.py --n 20000 --dim 64 --k 256 --iters 3 --device cpu
    python3 bench/reference/kmeans_reference.py --n 1000000 --dim 512 --k 1024 --iters 5 --device cuda --json out.json

Same algorithm as the C#, not the same random stream (different libtorch versions):
  * data: L2-normalised rows (MoDE clusters normalised SimCSE vectors), pure noise or --planted clusters;
  * init: K distinct random points (kmeans_pytorch.initialize, what MoDE uses) or k-means++;
  * distances: ||x||^2 - 2 x.c + ||c||^2, clamped at 0 (squared Euclidean, MoDE's --cd euclidean);
  * balanced step: Jacobi epsilon-auction with exact capacities floor(N/K) (+1 for the N mod K most-preferred centres),
    eps = 1e-3 x cost range, only centres that received bids are re-ranked; greedy fill after --max-rounds;
  * update: means by index_add_, empty centres re-seeded with a random point; stop when (sum_k |dc_k|)^2 < tol;
  * --batch-rows < n: the reference's "online" fit, init on the first batch, then up to --iters per batch.
Prints one JSON object (and writes it to --json): config, device, per-iteration timings, auction rounds, sizes, inertia.
`--parity` instead prints the balanced assignment of a fixed cost matrix, the golden value of the C# parity test.
Runs on Debian's python3-torch 1.13 (CPU) as well as on current CUDA builds.
"""
import argparse, json, platform, time
import torch


def squared_distances(x, c):
    return (x.square().sum(1, keepdim=True) + c.square().sum(1)[None, :] - 2.0 * (x @ c.T)).clamp_min_(0.0)


def capacities(n, preferred_counts):
    k = preferred_counts.numel()
    cap = torch.full((k,), n // k, dtype=torch.long, device=preferred_counts.device)
    extra = n % k
    if extra:
        order = torch.sort(preferred_counts, descending=True, stable=True).indices
        cap[order[:extra]] += 1
    return cap


def greedy_fill(cost, cap, assign, unassigned):
    used = torch.bincount(assign[assign >= 0], minlength=cap.numel())
    room = (cap - used).tolist()
    sub = cost[unassigned].cpu()
    for u in sub.min(1).values.argsort().tolist():
        row = sub[u].tolist()
        best = min((c for c in range(len(room)) if room[c] > 0), key=lambda c: row[c])
        room[best] -= 1
        assign[unassigned[u]] = best


def balanced_assignment(cost, eps_fraction=1e-3, max_rounds=20000):
    """Assignment [N] with exact capacities; total cost within N*eps of the optimum unless the fallback ran."""
    n, k = cost.shape
    dev = cost.device
    cap = capacities(n, torch.bincount(cost.argmin(1), minlength=k))
    eps = max((cost.max() - cost.min()).item() * eps_fraction, 1e-6 * max(cost.abs().max().item(), 1.0))
    assign = torch.full((n,), -1, dtype=torch.long, device=dev)
    held = torch.zeros(n, dtype=cost.dtype, device=dev)
    price = torch.zeros(k, dtype=cost.dtype, device=dev)
    rounds, fallback = 0, 0
    while True:
        unassigned = (assign < 0).nonzero().squeeze(1)
        if unassigned.numel() == 0:
            break
        if rounds >= max_rounds:
            fallback = unassigned.numel()
            greedy_fill(cost, cap, assign, unassigned)
            break
        values = -(cost[unassigned] + price)                                   # [U, K]
        if k == 1:
            target = torch.zeros_like(unassigned)
            bid = torch.full((unassigned.numel(),), eps, dtype=cost.dtype, device=dev)
        else:
            top, top_idx = values.topk(2, dim=1)
            target = top_idx[:, 0]
            bid = price[target] + (top[:, 0] - top[:, 1]) + eps
        targeted = torch.zeros(k, dtype=torch.bool, device=dev)
        targeted[target] = True
        holders = ((assign >= 0) & targeted[assign.clamp_min(0)]).nonzero().squeeze(1)
        cand_centre = torch.cat([assign[holders], target])
        cand_bid = torch.cat([held[holders], bid])
        cand_point = torch.cat([holders, unassigned])
        by_bid = torch.sort(cand_bid, descending=True, stable=True).indices
        sorted_centre, by_centre = torch.sort(cand_centre[by_bid], stable=True)
        perm = by_bid[by_centre]
        sorted_bid, sorted_point = cand_bid[perm], cand_point[perm]
        counts = torch.bincount(sorted_centre, minlength=k)
        starts = counts.cumsum(0) - counts
        rank = torch.arange(sorted_centre.numel(), device=dev) - starts[sorted_centre]
        keep = rank < cap[sorted_centre]
        assign[cand_point] = -1
        assign[sorted_point[keep]] = sorted_centre[keep]
        held[sorted_point[keep]] = sorted_bid[keep]
        is_full = (counts >= cap) & (cap > 0)
        lowest = sorted_bid[(starts + cap - 1).clamp(0, sorted_bid.numel() - 1)]
        price = torch.where(is_full, lowest, price)
        rounds += 1
    return assign, rounds, fallback, eps


def initial_centres(x, k, init, gen):
    n = x.shape[0]
    if init == "random":
        return x[torch.randperm(n, generator=gen)[:k].to(x.device)].clone()
    picks = [torch.randint(n, (1,), generator=gen).item()]
    min_d2 = squared_distances(x, x[picks[0]:picks[0] + 1]).squeeze(1)
    for _ in range(1, k):
        cdf = min_d2.double().cumsum(0)
        u = torch.rand(1, generator=gen, dtype=torch.float64).item() * cdf[-1].item()
        pick = min(torch.searchsorted(cdf, torch.tensor([u], dtype=torch.float64, device=cdf.device), right=True).item(), n - 1)
        picks.append(pick)
        min_d2 = torch.minimum(min_d2, squared_distances(x, x[pick:pick + 1]).squeeze(1))
    return x[torch.tensor(picks, device=x.device)].clone()


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def fit(x, centres, args, gen, log):
    k = centres.shape[0]
    for it in range(args.iters):
        t0 = time.perf_counter()
        d2 = squared_distances(x, centres)
        sync(x.device); t1 = time.perf_counter()
        if args.plain:
            a, rounds, fallback = d2.argmin(1), 0, 0
        else:
            a, rounds, fallback, _ = balanced_assignment(d2, args.eps, args.max_rounds)
        sync(x.device); t2 = time.perf_counter()
        inertia = d2.gather(1, a[:, None]).sum().item()
        sums = torch.zeros_like(centres).index_add_(0, a, x)
        counts = torch.bincount(a, minlength=k)
        new = sums / counts.clamp_min(1)[:, None].to(x.dtype)
        for c in (counts == 0).nonzero().squeeze(1).tolist():
            new[c] = x[torch.randint(x.shape[0], (1,), generator=gen).item()]
        shift = (new - centres).norm(dim=1).sum().item()
        centres = new
        sync(x.device); t3 = time.perf_counter()
        log.append({"rows": x.shape[0], "distance_s": t1 - t0, "assign_s": t2 - t1, "update_s": t3 - t2,
                    "iteration_s": t3 - t0, "auction_rounds": rounds, "fallback_points": fallback,
                    "inertia": inertia, "size_min": counts.min().item(), "size_max": counts.max().item()})
        if shift * shift < args.tol:
            break
    return centres


def make_data(args, gen, device):
    chunks = []
    if args.planted > 0:
        dirs = torch.nn.functional.normalize(torch.randn(args.planted, args.dim, generator=gen), dim=1)
    for start in range(0, args.n, 65536):
        m = min(65536, args.n - start)
        z = torch.randn(m, args.dim, generator=gen)
        if args.planted > 0:
            z = dirs[torch.randint(args.planted, (m,), generator=gen)] + args.noise * z
        chunks.append(torch.nn.functional.normalize(z, dim=1).to(device))
    return torch.cat(chunks)


def parity_costs(n=60, k=7):
    """A deterministic cost matrix, cost[i, c] = 1 + sin(1.3 i + 0.7 c) rounded to float32, for the C# parity test."""
    import math
    return torch.tensor([[1.0 + math.sin(1.3 * i + 0.7 * c) for c in range(k)] for i in range(n)], dtype=torch.float32)


def main():
    if "--parity" in __import__("sys").argv:
        # Golden assignment for tests/ClipUp.Tests/Mode/BalancedAssignmentTests.cs (no randomness involved).
        a, rounds, fallback, eps = balanced_assignment(parity_costs())
        print(json.dumps({"assignment": a.tolist(), "rounds": rounds, "fallback": fallback}))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--k", type=int, default=256)
    p.add_argument("--iters", type=int, default=3, help="Lloyd iterations per fit batch (MoDE: 50)")
    p.add_argument("--tol", type=float, default=1e-3)
    p.add_argument("--eps", type=float, default=1e-3, help="auction epsilon as a fraction of the cost range")
    p.add_argument("--max-rounds", type=int, default=20000)
    p.add_argument("--plain", action="store_true", help="unbalanced k-means (argmin assignment)")
    p.add_argument("--init", choices=["random", "kmeans++"], default="random")
    p.add_argument("--batch-rows", type=int, default=0, help="online fit over batches of this many rows (0 = one batch)")
    p.add_argument("--planted", type=int, default=0, help="draw the data around this many random directions (0 = noise)")
    p.add_argument("--noise", type=float, default=0.3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--json", default="")
    args = p.parse_args()

    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.perf_counter()
    x = make_data(args, gen, device)
    sync(device)
    data_s = time.perf_counter() - t0

    batch = args.batch_rows or args.n
    log, centres = [], None
    t0 = time.perf_counter()
    with torch.no_grad():
        for start in range(0, args.n, batch):
            xb = x[start:start + batch]
            if centres is None:
                centres = initial_centres(xb, args.k, args.init, gen)
                sync(device)
                init_s = time.perf_counter() - t0
            centres = fit(xb, centres, args, gen, log)
    sync(device)
    total_s = time.perf_counter() - t0
    result = {
        "benchmark": "mode-kmeans", "algorithm": "plain" if args.plain else "balanced-auction",
        "n": args.n, "dim": args.dim, "k": args.k, "iters": args.iters, "batch_rows": batch, "init": args.init,
        "eps": args.eps, "planted": args.planted, "seed": args.seed,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "cpu",
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "data_s": data_s, "init_s": init_s, "total_s": total_s,
        "mean_iteration_s": sum(r["iteration_s"] for r in log) / len(log),
        "points_per_s": sum(r["rows"] for r in log) / sum(r["iteration_s"] for r in log),
        "iterations": log,
    }
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
