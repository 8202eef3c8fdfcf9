#!/usr/bin/env python3
"""Writes the sources of the experiment notebooks 04-09 (one template, one row per experiment), then build.py makes
the .ipynb files. Edit the rows or the template here, not the generated NN-*.md files."""
import pathlib

SRC = pathlib.Path(__file__).resolve().parent

ROWS = [
    ("04-headline", "headline", "Headline: does upcycling beat the alternatives at equal steps?",
     'the recipe "initializes the MoE layers from the dense checkpoint" with a "separated backbone", and beats LIMoE '
     '(shared backbone, entropy losses) "at lower total training cost" (CLIP-UP, TL;DR and Fig. 1 caption, as summarised '
     'in [docs/papers/clip-up.md](../docs/papers/clip-up.md) §1)',
     "every variant ends after the same number of optimizer steps: dense-continued and the upcycled ones continue the "
     "dense baseline, the from-scratch ones train for dense + continuation steps.", None),
    ("05-aux-losses", "aux-losses", "Auxiliary losses: which ones should an upcycled CLIP use?",
     'CLIP-UP "uses only the load-balance loss + router z-loss, not LIMoE\'s entropy losses" (TL;DR, as summarised in '
     '[docs/papers/clip-up.md](../docs/papers/clip-up.md) §1)',
     "with so few steps the losses mostly show in the routing columns (dropped tokens, load); read retrieval "
     "differences of a point or two as noise at one seed.", None),
    ("06-lr-factor", "lr-factor", "Learning rate: how much lower should the continuation's LR be?",
     'the recipe "trains with a reduced learning rate" after upcycling (CLIP-UP TL;DR, as summarised in '
     '[docs/papers/clip-up.md](../docs/papers/clip-up.md) §1)',
     "the factor multiplies the dense run's peak LR for the continuation of the upcycled model.", None),
    ("07-capacity-factor", "capacity-factor", "Capacity factor: quality vs dropped tokens vs FLOPs",
     'a "clear trade-off controlled by expert capacity" (CLIP-UP TL;DR, as summarised in [docs/papers/clip-up.md](../docs/papers/clip-up.md) §1)',
     "our FLOPs count (`Flops.Forward`) charges the active experts of each token, not the padded capacity buffers, so "
     "the GFLOPs column does not move with the factor; the compute the factor buys shows as fewer dropped tokens.",
     "capacity"),
    ("08-experts-topk", "experts-topk", "Experts and top-k: how do E and k change an upcycled CLIP?",
     'E and k are not stated in what we have of the paper; E = 8, top-2 "is consistent with MoE-ViE\'s 0.5B total / 0.2B '
     'active for CLIP-UP-B/16" ([docs/papers/clip-up.md](../docs/papers/clip-up.md) §2, our derivation)',
     "more experts add parameters but not active FLOPs; a larger k adds active FLOPs.", None),
    ("09-placement", "placement", "Placement: where should the MoE layers go?",
     'every other layer is "the V-MoE/LIMoE/Sparse-Upcycling convention and the only placement consistent with the '
     '30%-FLOPs claim at top-2" ([docs/papers/clip-up.md](../docs/papers/clip-up.md) §2, our derivation; the paper does not state it)',
     "the tiny preset has 2 layers per tower, so every-other = layer 1 of each tower and all = layers 0 and 1.", None),
]

# The variant the question is about: the answer states where it stands and its difference to every other variant.
FOCUS = {"headline": "clip-up", "aux-losses": "lb+z"}

# Measured smoke-profile run time of each notebook with `clipup notebooks run` on 2 CPU cores (stated in its first cell).
MINUTES = {"headline": "1 minute", "aux-losses": "40 s", "lr-factor": "25 s", "capacity-factor": "45 s",
           "experts-topk": "30 s", "placement": "25 s"}

TEMPLATE = '''# {title}

**Question.** {question}

> **Paper:** {quote}.

> *Ours:* {comment} The smoke profile trains the `tiny` preset on synthetic shapes for a few dozen CPU steps at one
> seed: it shows the experiment runs end to end and how to read it, not the paper's effect sizes. A profile with
> committed results (`clipup experiment run {exp} --profile full` on one GPU writes `results/{exp}/full/`) is shown
> instead when the kernel asks for it (`CLIPUP_PROFILE=full`, notebooks/README.md).

## 1 · What runs, and the variants

```csharp
var spec = ExperimentCatalog.Get("{exp}");
var smoke = ExperimentCatalog.Profile("smoke") with {{ DenseSteps = 60, ContinueSteps = 30 }};
var committed = spec.ResultsDir(ClipUp.Notebooks.NotebookProfile.ResultsRoot(NotebookDir), Profile);
var readCommitted = Profile != "smoke" && ExperimentReport.Load(committed).Count > 0;
display(readCommitted
    ? $"This notebook reads the committed {{Profile}} results in results/{{spec.Name}}/{{Profile}}/ and trains nothing (seconds)."
    : $"This notebook trains {{spec.Variants.Count}} variants of the tiny CLIP on CPU, {{smoke.DenseSteps}} dense + {{smoke.ContinueSteps}} continuation steps, 1 seed " +
      $"(smoke profile; about {minutes} on 2 cores){{(Profile == "smoke" ? "" : $": results/{{spec.Name}}/{{Profile}}/ holds no results")}}.");
display($"{{spec.Name}}: {{spec.Question}} ({{spec.Paper}})");
display(Table.Of(spec.Variants.Select(v => new {{ variant = v.Name, description = v.Description, start = v.Start.ToString(), LR_factor = v.LrFactor }})));
```

**Predict** what each variant costs before training: parameters and forward GFLOPs per sample (one image + one
caption) of the model the smoke profile trains (`tiny`, text context 16), from the configs alone. The measured table
below reports the same quantities from the trained models.

```csharp
display(Table.Of(spec.Variants.Select(v => (v.Name, Params: MoeParameters.Estimate(smoke.ModelConfig(v.Width), v.Moe, v.Shared), Flops: Flops.Forward(smoke.ModelConfig(v.Width), v.Moe, v.Shared)))
    .Select(x => new {{ variant = x.Name, @params = Num.Count(x.Params.Total), active_params = Num.Count(x.Params.Active), GFLOPs_per_sample = Num.Sig(x.Flops.Total / 1e9) }})));
```

## 2 · Run (smoke) or read (committed results)

```csharp
var shownProfile = readCommitted ? Profile : "smoke";
var dir = committed;
if (!readCommitted)
{{
    var root = Path.Combine(NotebookDir, "..", "runs", "notebooks", "{nb}");
    if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    ExperimentRunner.Run(spec, "smoke", smoke, root);
    dir = spec.ResultsDir(root, "smoke");
}}
var results = ExperimentReport.Load(dir);
var rows = ExperimentReport.Summarise(results);
display(Metrics.Table(rows));
```

Mean retrieval recall (the average of T→I and I→T R@1/5/10, in %) per variant:

```csharp
display(Draw.Bars(rows.Select(r => r.Variant), rows.Select(Metrics.MeanRecall),
    $"{{spec.Name}}: mean retrieval recall per variant ({{shownProfile}} profile)", "variant", "mean recall@1/5/10 (%)"));
```
{extra}
## Answer

{answer_intro}

```csharp
var contenders = rows.Where(r => r.Variant is not ("dense" or "dense-shared")).OrderByDescending(Metrics.MeanRecall).ToList();
var focus = {focus};
var baseline = rows.FirstOrDefault(r => r.Variant == "dense");
display($"{{shownProfile}} profile: {{focus.Variant}} ranks {{contenders.IndexOf(focus) + 1}} of {{contenders.Count}} with mean recall {{Num.Percent(Metrics.MeanRecall(focus))}}" +
    (baseline is null ? "." : $" (the dense model before continuation: {{Num.Percent(Metrics.MeanRecall(baseline))}})."));
display(string.Join("\\n", contenders.Where(r => r != focus).Select(r => $"{{focus.Variant}} − {{r.Variant}}: {{Metrics.RecallDifference(results, focus.Variant, r.Variant)}}")));
```

The paper's claims for this experiment (docs/papers/clip-up.md §1), decided by the library from the same results: each
point is the paired difference variant − baseline in mean recall, each bar its 95% interval over seeds × evaluation
items; a claim holds where the whole bar lies right of the dotted zero line.

```csharp
var claims = ClaimReport.Evaluate(dir, ClaimCatalog.For(spec.Name));
if (claims.Any(c => c.Interval is not null))
    display(ClaimReport.Chart(claims, "retrieval.mean_recall", shownProfile));
else
    display($"{{spec.Name}} has no claim in ClaimCatalog or no paired results to decide it.");
```
'''

CAPACITY = '''
Dropped-token fraction against quality: each point is one capacity factor.

```csharp
using CSharpChart = Plotly.NET.CSharp.Chart;
var cf = rows.Where(r => r.Metrics.ContainsKey("routing.dropped_fraction")).ToList();
display(Charts.Layout(CSharpChart.Point<double, double, string>(x: cf.Select(r => r.Metrics["routing.dropped_fraction"].Mean), y: cf.Select(Metrics.MeanRecall),
    MultiText: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(cf.Select(r => r.Variant), true)),
    "Quality vs dropped tokens across capacity factors", "fraction of token assignments dropped (train routing log)", "mean recall (%)"));
```

**The train × eval grid.** A capacity factor is chosen twice: while training (what the router learns under) and at
evaluation (how many tokens still find an expert). Each trained variant is reloaded with every evaluation factor and
evaluated again. Read along a row for the eval-time trade-off of one trained model, down a column for the effect of
the training budget. **Predict** before running: raising the eval factor can only lower the fraction of dropped
tokens; does quality follow? (Dropped fractions at evaluation are not collected yet: the evaluator frees each batch's
routing reports; the training-time fractions are in the plot above.)

```csharp
// A committed run carries its grid (every seed) beside its results; a fresh smoke run is evaluated here from its checkpoints.
var grid = CapacityGrid.Load(dir);
if (grid.Count == 0)
    try { grid = CapacityGrid.Evaluate(dir, CapacityGrid.EvalFactors); }
    catch (FileNotFoundException e) { display($"No grid: the checkpoints of these results are not here ({e.Message})."); }
if (grid.Count > 0) display(CapacityGrid.Markdown(grid));
```
'''

for nb, exp, title, quote, comment, extra in ROWS:
    question = {
        "headline": "At equal optimizer steps, does upcycling a dense CLIP into an MoE (CLIP-UP) beat continuing the dense "
                    "model, training the same MoE from scratch, and LIMoE's shared-backbone MoE — and by how many recall points?",
    }.get(exp, None)
    focus_variant = FOCUS.get(exp)
    text = TEMPLATE.format(title=f"{nb[:2]} · {title}", question=question or "{QUESTION}", quote=quote, comment=comment,
                           exp=exp, nb=nb, extra=CAPACITY if extra == "capacity" else "", minutes=MINUTES[exp],
                           focus=f'contenders.Single(r => r.Variant == "{focus_variant}")' if focus_variant else "contenders[0]",
                           answer_intro=(f"Where `{focus_variant}` (the paper's recipe) stands among the variants, and its difference in mean "
                                         "recall to each of the others, in percentage points with the 95% interval over paired seeds "
                                         "(the smoke profile has one seed, so it gives none)." if focus_variant else
                                         "The best variant, and its difference in mean recall to each of the others, in percentage points "
                                         "with the 95% interval over paired seeds (the smoke profile has one seed, so it gives none)."))
    if question is None:
        text = text.replace("{QUESTION}", {
            "aux-losses": "Which auxiliary losses (none, load balance, z-loss, both, LIMoE's entropies) give the upcycled CLIP the best retrieval, and how balanced is its routing?",
            "lr-factor": "Which continuation learning rate (×1, ×0.3, ×0.1 of the dense peak) gives the best upcycled CLIP?",
            "capacity-factor": "How do retrieval quality and the fraction of dropped tokens change as the capacity factor goes from 1 to 4?",
            "experts-topk": "How do 4, 8 or 16 experts and top-1 vs top-2 routing change quality, parameters and FLOPs?",
            "placement": "Should MoE layers go in every other layer, every layer, or one tower only?",
        }[exp])
    (SRC / f"{nb}.md").write_text(text, encoding="utf-8")
    print(nb)
