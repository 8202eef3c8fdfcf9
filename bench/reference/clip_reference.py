"""A faithful PyTorch eager reference of ClipUp's CLIP (same shapes, key names, init scheme and training step), used by
bench/ to report ClipUp / PyTorch throughput ratios on the same machine in the same run.

    python3 bench/reference/clip_reference.py --preset tiny --moe 0 --batch 64 --steps 20 --device cpu --json out.json

The model mirrors src/ClipUp/Model (pre-LN blocks, LayerNorm in fp32, scaled_dot_product_attention, QuickGELU for the
OpenAI presets, GELU otherwise) and src/ClipUp/Moe (router without bias, softmax in fp32, top-k with renormalised
gates, capacity = ceil(k*T*CF/E), experts stacked [E, D, F] and run by a padded batched matmul after a sort by
expert). The step mirrors src/ClipUp/Training/Trainer.cs: symmetric InfoNCE, global-norm clip 1.0, AdamW
(0.9, 0.98, 1e-6, wd 0.2 on matrices only).
"""
import argparse, json, math, time, os, platform
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # embed, (image, patch, width, layers, heads), (context, vocab, width, layers, heads), quick_gelu
    "tiny": (64, (32, 8, 64, 2, 4), (32, 49408, 64, 2, 4), False),
    "S16-96": (384, (96, 16, 384, 12, 6), (77, 49408, 384, 12, 6), False),
    "B16": (512, (224, 16, 768, 12, 12), (77, 49408, 512, 12, 8), True),
    "B32": (512, (224, 32, 768, 12, 12), (77, 49408, 512, 12, 8), True),
}


class LayerNormFp32(nn.LayerNorm):
    def forward(self, x):
        return F.layer_norm(x.float(), self.normalized_shape, self.weight.float(), self.bias.float(), self.eps).to(x.dtype)


def act(x, quick):
    return x * torch.sigmoid(1.702 * x) if quick else F.gelu(x)


class Mlp(nn.Module):
    def __init__(self, d, f, quick):
        super().__init__()
        self.c_fc, self.c_proj, self.quick = nn.Linear(d, f), nn.Linear(f, d), quick

    def forward(self, x):
        return self.c_proj(act(self.c_fc(x), self.quick))


class MoeMlp(nn.Module):
    """Token-choice top-k with renormalised gates and capacity; sorted dispatch into [E, C, D] + bmm."""

    def __init__(self, d, f, quick, experts=8, k=2, cf=1.25):
        super().__init__()
        self.E, self.k, self.cf, self.quick = experts, k, cf, quick
        self.router = nn.Linear(d, experts, bias=False)
        self.c_fc_weight = nn.Parameter(torch.empty(experts, d, f))
        self.c_fc_bias = nn.Parameter(torch.zeros(experts, f))
        self.c_proj_weight = nn.Parameter(torch.empty(experts, f, d))
        self.c_proj_bias = nn.Parameter(torch.zeros(experts, d))

    def forward(self, x):
        shape = x.shape
        x = x.reshape(-1, shape[-1])                                     # [T, D]
        T, E, k = x.shape[0], self.E, self.k
        logits = self.router(x).float()
        probs = logits.softmax(-1)
        gates, idx = probs.topk(k, dim=-1)                               # [T, k]
        gates = gates / gates.sum(-1, keepdim=True)
        C = max(4, math.ceil(k * T * self.cf / E))
        # position of each (token, choice) in its expert's buffer: first choices before second choices
        flat_e = idx.t().reshape(-1)                                     # [k*T], choice-major
        onehot = F.one_hot(flat_e, E)
        pos = (onehot.cumsum(0) - 1).gather(1, flat_e[:, None]).squeeze(1)
        keep = pos < C
        tok = torch.arange(T, device=x.device).repeat(k)
        slot = flat_e * C + pos
        buf = x.new_zeros(E * C, x.shape[1])
        buf[slot[keep]] = x[tok[keep]]
        h = act(torch.baddbmm(self.c_fc_bias[:, None].to(x.dtype), buf.view(E, C, -1), self.c_fc_weight.to(x.dtype)), self.quick)
        y = torch.baddbmm(self.c_proj_bias[:, None].to(x.dtype), h, self.c_proj_weight.to(x.dtype)).view(E * C, -1)
        w = gates.t().reshape(-1)[keep].to(x.dtype)
        out = x.new_zeros(x.shape).index_add_(0, tok[keep], y[slot[keep]] * w[:, None])
        aux = E * (F.one_hot(idx[:, 0], E).float().mean(0) * probs.mean(0)).sum() * 0.01 + 1e-3 * torch.logsumexp(logits, -1).pow(2).mean()
        self.aux = aux
        return out.view(shape)


def sdpa(q, k, v, causal):
    # Debian 12's python3-torch (1.13) predates F.scaled_dot_product_attention; the math is the same.
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    s = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if causal:
        T = s.shape[-1]
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool, device=s.device).triu(1), float("-inf"))
    return s.softmax(-1) @ v


class Block(nn.Module):
    def __init__(self, d, h, quick, causal, mlp):
        super().__init__()
        self.ln_1, self.ln_2, self.h, self.causal = LayerNormFp32(d), LayerNormFp32(d), h, causal
        self.attn = nn.Module()
        self.attn.in_proj_weight = nn.Parameter(torch.empty(3 * d, d))
        self.attn.in_proj_bias = nn.Parameter(torch.zeros(3 * d))
        self.attn.out_proj = nn.Linear(d, d)
        self.mlp = mlp

    def attention(self, x):
        B, T, D = x.shape
        qkv = F.linear(x, self.attn.in_proj_weight, self.attn.in_proj_bias).view(B, T, 3, self.h, D // self.h).permute(2, 0, 3, 1, 4)
        y = sdpa(qkv[0], qkv[1], qkv[2], self.causal)
        return self.attn.out_proj(y.transpose(1, 2).reshape(B, T, D))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


def tower(d, layers, h, quick, causal, moe):
    return nn.ModuleList([Block(d, h, quick, causal,
                                MoeMlp(d, 4 * d, quick) if (moe and i % 2 == 1) else Mlp(d, 4 * d, quick)) for i in range(layers)])


class Clip(nn.Module):
    def __init__(self, preset, moe):
        super().__init__()
        e, (S, p, vw, vl, vh), (ctx, vocab, tw, tl, th), quick = PRESETS[preset]
        self.conv1 = nn.Conv2d(3, vw, p, p, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(vw) * vw ** -0.5)
        self.vpos = nn.Parameter(torch.randn((S // p) ** 2 + 1, vw) * vw ** -0.5)
        self.ln_pre, self.ln_post = LayerNormFp32(vw), LayerNormFp32(vw)
        self.vblocks = tower(vw, vl, vh, quick, False, moe)
        self.proj = nn.Parameter(torch.randn(vw, e) * vw ** -0.5)
        self.token_embedding = nn.Embedding(vocab, tw)
        self.positional_embedding = nn.Parameter(torch.randn(ctx, tw) * 0.01)
        self.tblocks = tower(tw, tl, th, quick, True, moe)
        self.ln_final = LayerNormFp32(tw)
        self.text_projection = nn.Parameter(torch.randn(tw, e) * tw ** -0.5)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        for blocks, d, L in ((self.vblocks, vw, vl), (self.tblocks, tw, tl)):
            for b in blocks:
                nn.init.normal_(b.attn.in_proj_weight, std=d ** -0.5)
                nn.init.normal_(b.attn.out_proj.weight, std=d ** -0.5 * (2 * L) ** -0.5)
                nn.init.zeros_(b.attn.out_proj.bias)
                if isinstance(b.mlp, Mlp):
                    nn.init.normal_(b.mlp.c_fc.weight, std=(2 * d) ** -0.5)
                    nn.init.normal_(b.mlp.c_proj.weight, std=d ** -0.5 * (2 * L) ** -0.5)
                else:
                    nn.init.normal_(b.mlp.c_fc_weight, std=(2 * d) ** -0.5)
                    nn.init.normal_(b.mlp.c_proj_weight, std=d ** -0.5 * (2 * L) ** -0.5)
                    nn.init.normal_(b.mlp.router.weight, std=0.02)

    def forward(self, images, tokens):
        x = self.conv1(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1), x], 1) + self.vpos.to(x.dtype)
        x = self.ln_pre(x)
        for b in self.vblocks:
            x = b(x)
        img = self.ln_post(x[:, 0]) @ self.proj.to(x.dtype)
        t = self.token_embedding(tokens) + self.positional_embedding
        for b in self.tblocks:
            t = b(t)
        t = self.ln_final(t)
        txt = t[torch.arange(t.shape[0]), tokens.argmax(-1)] @ self.text_projection.to(t.dtype)
        return F.normalize(img, dim=-1), F.normalize(txt, dim=-1), self.logit_scale.exp().clamp(max=100)


def loss_fn(img, txt, scale):
    logits = scale.float() * img.float() @ txt.float().t()
    labels = torch.arange(logits.shape[0], device=logits.device)
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="tiny")
    ap.add_argument("--moe", type=int, default=0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--bf16", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    # Debian's build starts with one intra-op thread; use every core, as TorchSharp does.
    torch.set_num_threads(a.threads or os.cpu_count())
    torch.manual_seed(0)
    dev = torch.device(a.device)
    model = Clip(a.preset, a.moe).to(dev)
    e, (S, *_), (ctx, vocab, *_), _ = PRESETS[a.preset]
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embedding" not in n and "vpos" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embedding" not in n and "vpos" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.2}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=5e-4, betas=(0.9, 0.98), eps=1e-6)
    images = torch.randn(a.batch, 3, S, S, device=dev)
    tokens = torch.randint(1, 49406, (a.batch, ctx), device=dev)
    tokens[:, 0], tokens[:, ctx // 2] = 49406, 49407
    if a.bf16:
        model = model.to(torch.bfloat16)  # pure-bf16 weights; a faithful AMP run would keep fp32 masters
        images = images.to(torch.bfloat16)

    def step():
        img, txt, scale = model(images, tokens)
        loss = loss_fn(img, txt, scale)
        aux = sum(m.aux for m in model.modules() if isinstance(m, MoeMlp)) if a.moe else 0.0
        (loss + aux).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    for _ in range(a.warmup):
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    loss.item()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    res = {"impl": "pytorch", "preset": a.preset, "moe": a.moe, "batch": a.batch, "steps": a.steps, "device": a.device,
           "bf16": a.bf16, "seconds": dt, "samples_per_s": a.batch * a.steps / dt, "torch": torch.__version__,
           "threads": torch.get_num_threads(), "machine": platform.machine(),
           "peak_mem_mb": (torch.cuda.max_memory_allocated() / 2**20) if dev.type == "cuda" else None}
    print(json.dumps(res))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f)


if __name__ == "__main__":
    main()
