#!/usr/bin/env python3
"""Parity between ClipUp and Hugging Face transformers' CLIPModel / CLIPTokenizer.

Runs on the GPU machine (torch, transformers, safetensors; no network). Three commands:

  make-reference OUT       random CLIPModels (a small config and ViT-B/16) saved with save_pretrained, plus fixed
                           inputs and the embeddings transformers computes for them; ClipUp loads these and compares.
  compare-embeddings DIR   loads a folder exported by ClipUp (config.json + model.safetensors, dense) with
                           transformers, recomputes embeddings for DIR/inputs.safetensors and compares them with
                           DIR/clipup_outputs.safetensors; prints JSON.
  tokenizer-parity         derives vocab.json + merges.txt from bpe_simple_vocab_16e6.txt.gz exactly as OpenAI's
                           SimpleTokenizer builds its tables, tokenises captions with CLIPTokenizer and compares them
                           with ClipUp's ids (one line of space-separated ids per caption); prints JSON.

File formats and expected outputs: bench/reference/README.md. C# side: src/ClipUp/Io/ParityIo.cs.
"""

import argparse
import gzip
import json
import os
import sys

CONTEXT = 77
SOT, EOT = 49406, 49407

# name -> (text_config, vision_config, projection_dim). "small" uses the full OpenAI vocabulary so token ids mean the
# same in every config; b16 is OpenAI ViT-B/16 (transformers' openai/clip-vit-base-patch16 values).
CONFIGS = {
    "small": (
        dict(hidden_size=64, intermediate_size=256, num_attention_heads=4, num_hidden_layers=2,
             max_position_embeddings=CONTEXT, vocab_size=49408, hidden_act="quick_gelu", projection_dim=32,
             bos_token_id=SOT, eos_token_id=EOT, pad_token_id=1),
        dict(hidden_size=64, intermediate_size=256, num_attention_heads=4, num_hidden_layers=2,
             image_size=32, patch_size=8, num_channels=3, hidden_act="quick_gelu", projection_dim=32),
        32,
    ),
    "b16": (
        dict(hidden_size=512, intermediate_size=2048, num_attention_heads=8, num_hidden_layers=12,
             max_position_embeddings=CONTEXT, vocab_size=49408, hidden_act="quick_gelu", projection_dim=512,
             bos_token_id=SOT, eos_token_id=EOT, pad_token_id=1),
        dict(hidden_size=768, intermediate_size=3072, num_attention_heads=12, num_hidden_layers=12,
             image_size=224, patch_size=16, num_channels=3, hidden_act="quick_gelu", projection_dim=512),
        512,
    ),
}


def embeddings(model, pixel_values, input_ids):
    """image/text embeds (L2-normalised, as CLIPModel.forward returns them) and features (before normalisation).

    Features are computed from the sub-modules rather than get_*_features, whose return type has changed across
    transformers versions; both read pooler_output and apply the projection without bias.
    """
    import torch
    with torch.no_grad():
        out = model(input_ids=input_ids, pixel_values=pixel_values)
        image_features = model.visual_projection(model.vision_model(pixel_values=pixel_values).pooler_output)
        text_features = model.text_projection(model.text_model(input_ids=input_ids).pooler_output)
    return {
        "image_embeds": out.image_embeds.contiguous(),
        "text_embeds": out.text_embeds.contiguous(),
        "image_features": image_features.contiguous(),
        "text_features": text_features.contiguous(),
    }


def fixed_inputs(image_size, batch, seed):
    """pixel_values ~ N(0, 1) [B, 3, S, S]; input_ids [B, 77]: SOT, 3..(3+2B) random tokens, EOT, then zeros (OpenAI pads with 0)."""
    import torch
    g = torch.Generator().manual_seed(seed)
    pixel_values = torch.randn(batch, 3, image_size, image_size, generator=g)
    input_ids = torch.zeros(batch, CONTEXT, dtype=torch.long)
    for b in range(batch):
        n = 3 + 2 * b
        input_ids[b, 0] = SOT
        input_ids[b, 1:1 + n] = torch.randint(1, SOT, (n,), generator=g)
        input_ids[b, 1 + n] = EOT
    return pixel_values, input_ids


def make_reference(args):
    import torch
    from safetensors.torch import save_file
    from transformers import CLIPConfig, CLIPModel

    summary = {}
    for name in args.configs.split(","):
        text_cfg, vision_cfg, projection_dim = CONFIGS[name]
        config = CLIPConfig(text_config=text_cfg, vision_config=vision_cfg, projection_dim=projection_dim)
        torch.manual_seed(args.seed)
        model = CLIPModel(config).eval()
        # HF initialises biases to 0 and LayerNorms to (1, 0); a wrong bias or LayerNorm mapping would then go unseen.
        # Perturb every parameter so that each tensor matters.
        g = torch.Generator().manual_seed(args.seed + 1)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(0.02 * torch.randn(p.shape, generator=g))

        folder = os.path.join(args.out, name)
        os.makedirs(folder, exist_ok=True)
        n_bytes = sum(t.numel() * t.element_size() for t in model.state_dict().values())
        weights_written = args.max_weights_mib <= 0 or n_bytes <= args.max_weights_mib * 2**20
        if weights_written:
            model.save_pretrained(folder)  # safetensors is the default in every transformers that runs on torch 2.x
            if not os.path.exists(os.path.join(folder, "model.safetensors")):
                raise SystemExit(f"{folder}: save_pretrained wrote no model.safetensors; upgrade transformers")
        else:
            model.config.save_pretrained(folder)
        with open(os.path.join(folder, "hf_keys.txt"), "w", encoding="utf-8") as f:
            for k, t in sorted(model.state_dict().items()):
                f.write(f"{k} [{', '.join(str(d) for d in t.shape)}] {str(t.dtype).replace('torch.', '')}\n")

        pixel_values, input_ids = fixed_inputs(vision_cfg["image_size"], args.batch, args.seed + 2)
        save_file({"pixel_values": pixel_values, "input_ids": input_ids}, os.path.join(folder, "inputs.safetensors"))
        save_file(embeddings(model, pixel_values, input_ids), os.path.join(folder, "outputs.safetensors"))
        summary[name] = {
            "folder": folder,
            "parameters": sum(p.numel() for p in model.parameters()),
            "state_dict_keys": len(model.state_dict()),
            "weights_mib": round(n_bytes / 2**20, 1),
            "weights_written": weights_written,
        }
    print(json.dumps(summary, indent=2))


def compare_embeddings(args):
    import torch
    from safetensors.torch import load_file
    from transformers import CLIPModel

    model, info = CLIPModel.from_pretrained(args.folder, output_loading_info=True)
    model = model.eval()
    inputs = load_file(args.inputs or os.path.join(args.folder, "inputs.safetensors"))
    theirs = load_file(args.clipup or os.path.join(args.folder, "clipup_outputs.safetensors"))
    ours = embeddings(model, inputs["pixel_values"].float(), inputs["input_ids"].long())

    diffs = {}
    for k, t in theirs.items():
        if k in ours:
            diffs[k] = float((ours[k].double() - t.double()).abs().max())
    loading = {k: [str(x) for x in v] for k, v in info.items()}
    ok = bool(diffs) and all(d <= args.atol for d in diffs.values()) and not any(loading.values())
    print(json.dumps({"max_abs_diff": diffs, "atol": args.atol, "loading_info": loading, "ok": ok}, indent=2))
    return 0 if ok else 1


def bytes_to_unicode():
    """GPT-2/CLIP's reversible byte -> printable unicode table (same as OpenAI's simple_tokenizer.bytes_to_unicode)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def write_vocab_files(bpe_path, folder):
    """vocab.json + merges.txt with OpenAI SimpleTokenizer's tables: 256 byte symbols, the same with </w>, one token
    per merge (the first 49152-256-2 merges after the header line), then <|startoftext|> and <|endoftext|>."""
    merges = gzip.open(bpe_path).read().decode("utf-8").split("\n")
    merges = merges[1:49152 - 256 - 2 + 1]
    symbols = list(bytes_to_unicode().values())
    vocab = symbols + [s + "</w>" for s in symbols]
    vocab += ["".join(m.split()) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    encoder = {tok: i for i, tok in enumerate(vocab)}
    assert len(encoder) == len(vocab) == 49408, f"vocabulary has {len(encoder)} distinct tokens of {len(vocab)}, expected 49408"
    os.makedirs(folder, exist_ok=True)
    vocab_file, merges_file = os.path.join(folder, "vocab.json"), os.path.join(folder, "merges.txt")
    with open(vocab_file, "w", encoding="utf-8") as f:
        json.dump(encoder, f, ensure_ascii=False)
    # CLIPTokenizer skips the first line of merges.txt (a "#version" header) and keeps the next 48894 lines.
    with open(merges_file, "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    return vocab_file, merges_file


def read_captions(paths):
    captions = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            col = header.index("caption")
            for line in f:
                line = line.rstrip("\n")
                if line:
                    captions.append(line.split("\t")[col])
    return captions


def expected_ids(hf_ids, clipup_line):
    """HF ids in the form ClipUp's line uses: with or without SOT/EOT, truncated to 77 (keeping EOT) like
    OpenAI's tokenize(truncate=True) when ClipUp's line is exactly 77 long."""
    if not clipup_line or clipup_line[0] != SOT:
        return hf_ids[1:-1]
    if len(clipup_line) == CONTEXT and len(hf_ids) > CONTEXT:
        return hf_ids[:CONTEXT - 1] + [EOT]
    return hf_ids


def build_tokenizer(vocab_file, merges_file):
    """The Python CLIPTokenizer; CLIPTokenizerFast (tokenizers-backed) where a transformers version has no slow one."""
    try:
        from transformers import CLIPTokenizer
        return CLIPTokenizer(vocab_file, merges_file)
    except (ImportError, TypeError, ValueError):
        from transformers import CLIPTokenizerFast
        return CLIPTokenizerFast(vocab_file=vocab_file, merges_file=merges_file)


def tokenizer_parity(args):
    vocab_file, merges_file = write_vocab_files(args.bpe, args.work)
    tok = build_tokenizer(vocab_file, merges_file)
    try:
        import ftfy  # noqa: F401  (CLIPTokenizer falls back to BasicTokenizer without it)
        has_ftfy = True
    except ImportError:
        has_ftfy = False

    captions = read_captions(args.tsv)
    with open(args.ids, encoding="utf-8") as f:
        lines = [[int(x) for x in line.split()] for line in f.read().split("\n")]
    if lines and lines[-1] == [] and len(lines) == len(captions) + 1:
        lines.pop()  # the final newline
    result = {"tokenizer": type(tok).__name__, "captions": len(captions), "clipup_lines": len(lines), "ftfy": has_ftfy}
    if len(lines) != len(captions):
        result["error"] = "ClipUp's file must have one line per caption, in TSV order (train then val as given)"
        print(json.dumps(result, indent=2))
        return 1

    mismatches = []
    for i, (caption, line) in enumerate(zip(captions, lines)):
        while len(line) > 1 and line[-1] == 0:  # padding, if ClipUp wrote padded rows
            line = line[:-1]
        want = expected_ids(tok(caption)["input_ids"], line)
        if line != want:
            mismatches.append({"index": i, "caption": caption, "clipup": line, "hf": want})
    result.update({
        "matches": len(captions) - len(mismatches),
        "match_rate": (len(captions) - len(mismatches)) / max(1, len(captions)),
        "mismatch_count": len(mismatches),
        "mismatches": mismatches[:args.max_list],
    })
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if not mismatches else 1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    m = sub.add_parser("make-reference", help="random HF CLIPModels + inputs + outputs")
    m.add_argument("out", help="folder to write <config>/ subfolders into")
    m.add_argument("--configs", default="small,b16", help="comma-separated: " + ",".join(CONFIGS))
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--batch", type=int, default=4)
    m.add_argument("--max-weights-mib", type=float, default=60,
                   help="skip model.safetensors above this size (the device returns at most 64 MiB); 0 = no limit")

    c = sub.add_parser("compare-embeddings", help="load a ClipUp HF export with transformers and compare embeddings")
    c.add_argument("folder", help="ClipUp export: config.json, model.safetensors, inputs.safetensors, clipup_outputs.safetensors")
    c.add_argument("--inputs", help="inputs file if not in the folder")
    c.add_argument("--clipup", help="ClipUp outputs file if not in the folder")
    c.add_argument("--atol", type=float, default=1e-4)

    t = sub.add_parser("tokenizer-parity", help="compare ClipUp token ids with HF CLIPTokenizer")
    t.add_argument("--bpe", required=True, help="bpe_simple_vocab_16e6.txt.gz")
    t.add_argument("--tsv", action="append", required=True, help="caption TSV (header with a 'caption' column); repeat, in order")
    t.add_argument("--ids", required=True, help="ClipUp's ids: one line of space-separated ids per caption, same order")
    t.add_argument("--work", default="clip_tokenizer_files", help="folder for the derived vocab.json and merges.txt")
    t.add_argument("--max-list", type=int, default=20, help="mismatches to list")

    args = p.parse_args(argv)
    if args.command == "make-reference":
        make_reference(args)
        return 0
    if args.command == "compare-embeddings":
        return compare_embeddings(args)
    return tokenizer_parity(args)


if __name__ == "__main__":
    sys.exit(main())
