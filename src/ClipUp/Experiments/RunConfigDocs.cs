using System.Text;
using System.Text.Json.Nodes;
using ClipUp.Io;

namespace ClipUp.Experiments;

/// <summary>
/// <c>clipup train --print-config</c>: every key of a <see cref="RunConfig"/> with its default and a one-line
/// description, as JSON with <c>//</c> comments (which <see cref="JsonConfig"/> reads back). The MoE section is printed
/// commented out, because the default run is dense: uncommented, it is a valid <see cref="Moe.MoeConfig"/> of defaults.
/// </summary>
public static class RunConfigDocs
{
    /// <summary>One line per key path as users write it; a test requires one for every key the config serialises.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>
    {
        ["model"] = "preset: tiny, S16-96, B32, B16 or L14",
        ["context_length"] = "text context in tokens; 0 keeps the preset's 77 (Flickr8k captions fit in 32)",
        ["width"] = "multiplies the preset's widths and head counts; 1 keeps the preset",
        ["moe"] = "MoE layers; null trains a dense model. With init, the dense weights are upcycled into this MoE",
        ["init"] = "start from these weights: a ClipUp checkpoint, a Hugging Face CLIPModel folder or an open_clip .safetensors",
        ["data"] = "the training table",
        ["data.train"] = "required: the training table, a .tsv/.csv with image and caption columns",
        ["data.images"] = "folder that relative image paths resolve against; null: the table's images/ folder, else its own folder",
        ["data.image_column"] = "header name of the image path column",
        ["data.caption_column"] = "header name of the caption column",
        ["data.separator"] = "field separator of the table: \"\\t\" or \",\"",
        ["data.drop_last"] = "drop an epoch's last samples that do not fill a batch, so every step sees train.batch_size samples",
        ["data.one_caption_per_image"] = "one of an image's captions per epoch (seeded), so an image is never its own negative",
        ["data.workers"] = "batches decoded in parallel; results do not depend on it",
        ["data.max_error_fraction"] = "largest fraction of unreadable images that are skipped (listed) before the run stops",
        ["train"] = "optimisation",
        ["train.steps"] = "optimizer steps",
        ["train.batch_size"] = "samples per step (the contrastive loss's negatives come from the batch)",
        ["train.learning_rate"] = "peak learning rate after warm-up (cosine decay to min_lr_ratio × it); the only learning-rate key",
        ["train.warmup_steps"] = "linear warm-up steps; keep it well below train.steps",
        ["train.min_lr_ratio"] = "final learning rate as a fraction of train.learning_rate",
        ["train.weight_decay"] = "AdamW decoupled weight decay",
        ["train.beta1"] = "AdamW β1",
        ["train.beta2"] = "AdamW β2 (CLIP uses 0.98)",
        ["train.eps"] = "AdamW ε",
        ["train.grad_clip_norm"] = "global gradient-norm clip; 0 turns it off",
        ["train.grad_accumulation"] = "micro-batches per optimizer step, each its own contrastive problem",
        ["train.precision"] = "fp32 or bf16 (LayerNorm, routers, softmax and the logit scale stay fp32)",
        ["train.log_every"] = "steps between metric lines (the only device sync)",
        ["train.checkpoint_every"] = "steps between checkpoints; 0: only at the end",
        ["train.keep_last_checkpoints"] = "checkpoints kept besides best.safetensors",
        ["train.eval_every"] = "steps between validations on eval.retrieval that keep best.safetensors; 0 turns it off",
        ["train.seed"] = "fixes initialisation, data order and augmentation",
        ["train.max_non_finite_steps"] = "consecutive NaN/Inf steps (skipped) before the run stops with a diagnostic",
        ["eval"] = "evaluation after training; set at least one of retrieval and zero_shot, or the results table is empty",
        ["eval.retrieval"] = "held-out table with several captions per image (e.g. flickr8k/val.tsv) for image↔text recall",
        ["eval.zero_shot"] = "ImageFolder (one folder per class, e.g. cifar10/train) for zero-shot accuracy",
        ["eval.zero_shot_limit"] = "cap on zero-shot images; 0 = all",
        ["eval.zero_shot_attributes"] = "attribute columns of the retrieval table classified zero-shot with product prompts (e.g. [\"articleType\", \"baseColour\"]); classes are each column's distinct values",
        ["eval.batch_size"] = "evaluation batch size",
        ["device"] = "auto, cpu, cuda or cuda:<i> (auto: CUDA when libtorch sees a GPU)",
        ["out"] = "output folder: checkpoints/, metrics.jsonl, results.json",
        ["moe.num_experts"] = "experts per MoE layer (E)",
        ["moe.top_k"] = "experts per token (K <= E)",
        ["moe.train_capacity_factor"] = "expert capacity while training, in units of an even share; E/K or more drops no token",
        ["moe.eval_capacity_factor"] = "expert capacity in evaluation",
        ["moe.min_capacity"] = "lower bound of an expert's capacity, so tiny evaluation batches drop nothing",
        ["moe.router"] = "token_choice (tokens pick experts) or expert_choice (experts pick tokens)",
        ["moe.gate_normalization"] = "renormalized (top-k gates sum to 1: an upcycled layer equals the dense MLP at step 0) or raw",
        ["moe.batch_priority"] = "V-MoE batch priority routing: the most confident tokens claim expert slots first",
        ["moe.jitter_noise"] = "Switch jitter ε on the router input while training; 0 = off",
        ["moe.noise_std"] = "V-MoE Gaussian noise on router logits while training (needed by the load loss); 0 = off",
        ["moe.logit_soft_cap"] = "soft cap c·tanh(logits/c) on router logits; 0 = off",
        ["moe.router_init_std"] = "router weights start as N(0, std²)",
        ["moe.placement"] = "which blocks of a tower are MoE",
        ["moe.placement.kind"] = "every_other (odd blocks), all, last_k or explicit",
        ["moe.placement.count"] = "number of last blocks with kind last_k",
        ["moe.placement.layers"] = "block indices with kind explicit, e.g. [1, 3]",
        ["moe.towers"] = "image, text or both",
        ["moe.aux"] = "auxiliary loss weights",
        ["moe.aux.load_balance"] = "Switch/GShard load-balance loss weight (CLIP-UP: 0.01)",
        ["moe.aux.z_loss"] = "router z-loss weight (CLIP-UP: 1e-3)",
        ["moe.aux.importance"] = "V-MoE importance loss weight",
        ["moe.aux.load"] = "V-MoE load loss weight (needs moe.noise_std > 0)",
        ["moe.aux.limoe_local"] = "LIMoE local entropy loss weight",
        ["moe.aux.limoe_global"] = "LIMoE global entropy loss weight",
        ["moe.aux.limoe_global_threshold"] = "LIMoE global entropy threshold",
        ["moe.load_balance_counting"] = "which choices count in the load-balance fraction: top1 or top_k",
        ["moe.expert_init"] = "how upcycling fills the experts",
        ["moe.expert_init.kind"] = "copy (every expert a copy of the dense MLP), copy_with_noise or random",
        ["moe.expert_init.noise_std"] = "noise added to the copies with copy_with_noise",
        ["moe.dispatch"] = "auto, sorted, one_hot or grouped: implementations of the same function",
    };

    /// <summary>The default config with every key, its value and its description.</summary>
    public static string Print()
    {
        var root = JsonNode.Parse(JsonConfig.Serialize(new RunConfig()))!.AsObject();
        var moe = JsonNode.Parse(JsonConfig.Serialize(new Moe.MoeConfig()))!.AsObject();
        var text = new StringBuilder();
        text.AppendLine("// clipup train --config run.json: every key with its default. Comments are allowed; unknown keys are errors.");
        WriteObject(text, root, "", 0, (key, indent) =>
        {
            if (key != "moe") return false;
            Comment(text, indent, Descriptions["moe"] + "; to use one, replace null by the object below (the defaults)");
            text.Append(' ', indent).AppendLine("\"moe\": null,");
            var block = new StringBuilder();
            block.Append(' ', indent).Append("\"moe\": ");
            WriteObject(block, moe, "moe", indent, null);
            // The closing brace keeps its comma, so the uncommented block drops in where "moe": null was.
            foreach (var line in (block.ToString().TrimEnd() + ",").Split('\n'))
                text.Append(' ', indent).Append("// ").AppendLine(line[Math.Min(indent, line.Length - line.TrimStart().Length)..]);
            return true;
        });
        return text.ToString();
    }

    private static void WriteObject(StringBuilder text, JsonObject obj, string path, int indent, Func<string, int, bool>? special)
    {
        text.AppendLine("{");
        int inner = indent + 2, i = 0;
        foreach (var (key, value) in obj)
        {
            string keyPath = path.Length == 0 ? key : $"{path}.{key}";
            bool last = ++i == obj.Count;
            if (special?.Invoke(key, inner) == true) continue;
            if (value is JsonObject child)
            {
                Comment(text, inner, Describe(keyPath));
                text.Append(' ', inner).Append($"\"{key}\": ");
                WriteObject(text, child, keyPath, inner, null);
                if (!last) text.Length -= Environment.NewLine.Length;
                if (!last) text.AppendLine(",");
                continue;
            }
            string literal = value?.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";
            text.Append(' ', inner).Append($"\"{key}\": {literal}{(last ? "" : ",")}").Append("  // ").AppendLine(Describe(keyPath));
        }
        text.Append(' ', indent).AppendLine("}");
    }

    private static void Comment(StringBuilder text, int indent, string line) => text.Append(' ', indent).Append("// ").AppendLine(line);

    private static string Describe(string path) =>
        Descriptions.TryGetValue(path, out var d) ? d : throw new InvalidOperationException($"no description for config key {path}: add one to RunConfigDocs");
}
