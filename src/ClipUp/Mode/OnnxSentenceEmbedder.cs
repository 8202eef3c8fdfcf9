using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using static TorchSharp.torch;

namespace ClipUp.Mode;

/// <summary>How a BERT-style ONNX model's outputs become one vector per caption.</summary>
public enum OnnxPooling
{
    /// <summary><c>pooler_output</c> when the model has it (what MoDE uses with SimCSE), else <see cref="Cls"/>.</summary>
    Auto,
    /// <summary>The <c>pooler_output</c> output [B, H] (tanh(W·h_CLS + b) in BERT).</summary>
    Pooler,
    /// <summary>The hidden state of the [CLS] token, <c>last_hidden_state[:, 0]</c> (SimCSE's "cls_before_pooler").</summary>
    Cls,
    /// <summary>Mean of <c>last_hidden_state</c> over the non-padding tokens (attention mask), as sentence-transformers do.</summary>
    Mean,
}

/// <summary>Where the model and vocabulary are and how to run them.</summary>
/// <param name="ModelPath">A BERT-style .onnx (e.g. an export of princeton-nlp/sup-simcse-bert-base-uncased).</param>
/// <param name="VocabPath">The WordPiece vocab.txt of that model.</param>
/// <param name="MaxTokens">Truncation length including [CLS] and [SEP]; 512 is BERT's limit, the reference's <c>truncation=True</c>.</param>
/// <param name="LowerCase">Lower-case before WordPiece (true for *-uncased models).</param>
/// <param name="BatchSize">Captions per ONNX run (the reference embeds chunks of 400; batches are padded to their longest caption).</param>
/// <param name="IntraOpThreads">ONNX Runtime threads, 0 = its default.</param>
public sealed record OnnxEmbedderOptions(string ModelPath, string VocabPath, OnnxPooling Pooling = OnnxPooling.Auto,
    int MaxTokens = 512, bool LowerCase = true, int BatchSize = 64, int IntraOpThreads = 0)
{
    public void Validate()
    {
        if (!File.Exists(ModelPath)) throw new FileNotFoundException($"ONNX model {ModelPath} does not exist: export the sentence encoder to ONNX first", ModelPath);
        if (!File.Exists(VocabPath)) throw new FileNotFoundException($"WordPiece vocabulary {VocabPath} does not exist: use the model's vocab.txt", VocabPath);
        if (MaxTokens < 2) throw new ArgumentException($"MaxTokens {MaxTokens} must be at least 2 ([CLS] and [SEP])");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize {BatchSize} must be at least 1");
        if (IntraOpThreads < 0) throw new ArgumentException($"IntraOpThreads {IntraOpThreads} must be 0 (default) or positive");
    }
}

/// <summary>
/// A sentence encoder (SimCSE, the paper's choice, mode.md §1) run with ONNX Runtime on the CPU: WordPiece tokens from
/// Microsoft.ML.Tokenizers' BertTokenizer, BERT inputs <c>input_ids</c>/<c>attention_mask</c>/<c>token_type_ids</c>
/// (whichever the model declares; int64 or int32), pooled by <see cref="OnnxPooling"/>, then L2-normalised.
/// Axes: B batch, T tokens, H hidden width.
/// </summary>
public sealed class OnnxSentenceEmbedder : ICaptionEmbedder, IDisposable
{
    private readonly InferenceSession session;
    private readonly BertTokenizer tokenizer;
    private readonly OnnxEmbedderOptions options;
    private readonly Device device;
    private readonly string hiddenOutput;
    private int dimension;

    public OnnxSentenceEmbedder(OnnxEmbedderOptions options, Device? device = null)
    {
        options.Validate();
        this.options = options;
        this.device = device ?? CPU;
        tokenizer = BertTokenizer.Create(options.VocabPath, new BertOptions { LowerCaseBeforeTokenization = options.LowerCase });
        using var sessionOptions = new SessionOptions();
        if (options.IntraOpThreads > 0) sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        session = new InferenceSession(options.ModelPath, sessionOptions);
        foreach (var input in session.InputNames)
            if (input is not ("input_ids" or "attention_mask" or "token_type_ids"))
                throw new InvalidDataException($"ONNX model {options.ModelPath} wants input '{input}'; only input_ids, attention_mask and token_type_ids are supported");
        if (!session.InputNames.Contains("input_ids"))
            throw new InvalidDataException($"ONNX model {options.ModelPath} has no 'input_ids' input (inputs: {string.Join(", ", session.InputNames)})");

        var outputs = session.OutputMetadata;
        Pooling = options.Pooling == OnnxPooling.Auto
            ? (outputs.ContainsKey("pooler_output") ? OnnxPooling.Pooler : OnnxPooling.Cls)
            : options.Pooling;
        if (Pooling == OnnxPooling.Pooler && !outputs.ContainsKey("pooler_output"))
            throw new InvalidDataException($"ONNX model {options.ModelPath} has no 'pooler_output' (outputs: {string.Join(", ", outputs.Keys)}): use Cls or Mean pooling");
        hiddenOutput = outputs.ContainsKey("last_hidden_state") ? "last_hidden_state"
            : outputs.FirstOrDefault(kv => kv.Value.Dimensions.Length == 3).Key
              ?? (Pooling == OnnxPooling.Pooler ? "" : throw new InvalidDataException($"ONNX model {options.ModelPath} has no [B, T, H] output for {Pooling} pooling"));
        var pooledDims = outputs[Pooling == OnnxPooling.Pooler ? "pooler_output" : hiddenOutput].Dimensions;
        dimension = pooledDims[^1];   // -1 when symbolic: found on first use

        using var sha = SHA256.Create();
        using (var file = File.OpenRead(options.ModelPath))
            Name = $"onnx:{Path.GetFileNameWithoutExtension(options.ModelPath)}:{Convert.ToHexStringLower(sha.ComputeHash(file))[..12]}:{Pooling}:{options.MaxTokens}:{(options.LowerCase ? "lower" : "cased")}";
    }

    /// <summary>The pooling in effect (Auto resolved).</summary>
    public OnnxPooling Pooling { get; }

    public string Name { get; }

    public int Dimension
    {
        get
        {
            if (dimension <= 0) dimension = (int)EmbedBatch(["."]).GetLength(1);
            return dimension;
        }
    }

    /// <summary>WordPiece ids of one caption with [CLS] … [SEP], truncated to MaxTokens.</summary>
    public IReadOnlyList<int> TokenIds(string caption)
    {
        var ids = tokenizer.EncodeToIds(caption, addSpecialTokens: false);
        var body = ids.Take(options.MaxTokens - 2);
        return [tokenizer.ClassificationTokenId, .. body, tokenizer.SeparatorTokenId];
    }

    public Tensor Embed(IReadOnlyList<string> captions)
    {
        var rows = new List<float[,]>();
        for (var start = 0; start < captions.Count; start += options.BatchSize)
            rows.Add(EmbedBatch(captions.Skip(start).Take(options.BatchSize).ToArray()));
        var d = rows.Count > 0 ? rows[0].GetLength(1) : Dimension;
        var flat = new float[captions.Count * d];
        var offset = 0;
        foreach (var block in rows)
        {
            Buffer.BlockCopy(block, 0, flat, offset * sizeof(float), block.Length * sizeof(float));
            offset += block.Length;
        }
        using var scope = NewDisposeScope();
        var result = nn.functional.normalize(tensor(flat, [captions.Count, d]), dim: 1);
        return result.to(device).MoveToOuterDisposeScope();
    }

    /// <summary>One ONNX run: pooled, unnormalised [B, H].</summary>
    private float[,] EmbedBatch(IReadOnlyList<string> captions)
    {
        var ids = captions.Select(TokenIds).ToArray();
        var (b, t) = (ids.Length, ids.Max(x => x.Count));
        var inputIds = new long[b * t];
        var mask = new long[b * t];
        Array.Fill(inputIds, tokenizer.PaddingTokenId);
        for (var i = 0; i < b; i++)
            for (var j = 0; j < ids[i].Count; j++) { inputIds[i * t + j] = ids[i][j]; mask[i * t + j] = 1; }
        var typeIds = new long[b * t];

        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var name in session.InputNames)
            {
                var data = name switch { "input_ids" => inputIds, "attention_mask" => mask, _ => typeIds };
                names.Add(name);
                values.Add(session.InputMetadata[name].ElementType == typeof(int)
                    ? OrtValue.CreateTensorValueFromMemory(data.Select(v => (int)v).ToArray(), [b, t])
                    : OrtValue.CreateTensorValueFromMemory(data, [b, t]));
            }
            var outputName = Pooling == OnnxPooling.Pooler ? "pooler_output" : hiddenOutput;
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, values, [outputName]);
            var output = results[0];
            var shape = output.GetTensorTypeAndShape().Shape;
            var span = output.GetTensorDataAsSpan<float>();
            var h = (int)shape[^1];
            var pooled = new float[b, h];
            for (var i = 0; i < b; i++)
            {
                if (Pooling == OnnxPooling.Pooler) { for (var k = 0; k < h; k++) pooled[i, k] = span[i * h + k]; continue; }
                if (Pooling == OnnxPooling.Cls) { for (var k = 0; k < h; k++) pooled[i, k] = span[i * t * h + k]; continue; }
                var n = ids[i].Count;
                for (var j = 0; j < n; j++)
                    for (var k = 0; k < h; k++) pooled[i, k] += span[(i * t + j) * h + k];
                for (var k = 0; k < h; k++) pooled[i, k] /= n;
            }
            return pooled;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    public void Dispose() => session.Dispose();
}
