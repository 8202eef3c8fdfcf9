using System.CommandLine;
using System.Globalization;
using ClipUp.Io;
using ClipUp.Runtime;
using ClipUp.Text;
using TorchSharp;

namespace ClipUp.Cli.Commands;

/// <summary>
/// <c>clipup parity embed|export|tokens</c>: ClipUp's side of bench/reference/hf_parity.py (file names and formats in
/// bench/reference/README.md; the GPU-machine sequence is eng/gpu-parity.sh).
/// </summary>
public static class ParityCommand
{
    public static Command Create() => new("parity", "Produce ClipUp's files for the Hugging Face parity checks (bench/reference/hf_parity.py).")
    {
        Embed(), Export(), Tokens(),
    };

    private static Command Embed()
    {
        var model = new Option<string>("--model") { Description = "Model to load (an HF folder from hf_parity.py make-reference, or any checkpoint ClipUp reads).", Required = true };
        var inputs = new Option<string>("--inputs") { Description = "inputs.safetensors: pixel_values [B, 3, S, S] F32, input_ids [B, 77] I64.", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write image/text embeds and features.", DefaultValueFactory = _ => ParityIo.ClipUpOutputsName };
        var reference = new Option<string?>("--reference") { Description = "outputs.safetensors to compare with; the exit code is 1 when a difference exceeds --atol." };
        var atol = new Option<double>("--atol") { Description = "Largest allowed absolute difference.", DefaultValueFactory = _ => 1e-4 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:<i>. The model and the inputs stay fp32.", DefaultValueFactory = _ => "cpu" };
        var cmd = new Command("embed", "Embed the reference inputs with ClipUp in fp32 and save the outputs under hf_parity.py's names.")
            { model, inputs, output, reference, atol, device };
        cmd.SetAction(parse =>
        {
            var outputs = RunEmbed(parse.GetValue(model)!, parse.GetValue(inputs)!, parse.GetValue(output)!, parse.GetValue(device)!);
            Console.WriteLine($"wrote {parse.GetValue(output)}");
            return parse.GetValue(reference) is { } r ? Report(SafeTensors.Load(r), outputs, parse.GetValue(atol)) : 0;
        });
        return cmd;
    }

    private static Command Export()
    {
        var model = new Option<string>("--model") { Description = "HF folder to re-export (hf_parity.py make-reference output).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the ClipUp export (config.json, model.safetensors).", Required = true };
        var inputs = new Option<string?>("--inputs") { Description = "If given: copied into the export with clipup_outputs.safetensors computed from the export, ready for compare-embeddings." };
        var cmd = new Command("export", "Re-export a model in HF format with ClipUp, for hf_parity.py compare-embeddings.") { model, output, inputs };
        cmd.SetAction(parse =>
        {
            RunExport(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(inputs));
            Console.WriteLine($"wrote {parse.GetValue(output)}");
            return 0;
        });
        return cmd;
    }

    private static Command Tokens()
    {
        var tsv = new Option<string[]>("--tsv") { Description = "Caption TSV with a 'caption' column; repeat, in the order given to hf_parity.py.", Required = true, AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--out") { Description = "One line of space-separated ids (SOT ... EOT, unpadded) per caption.", DefaultValueFactory = _ => "clipup_ids.txt" };
        var cmd = new Command("tokens", "Tokenize captions with ClipUp's CLIP tokenizer for hf_parity.py tokenizer-parity.") { tsv, output };
        cmd.SetAction(parse =>
        {
            int n = RunTokens(parse.GetValue(tsv)!, parse.GetValue(output)!);
            Console.WriteLine($"wrote {n} lines to {parse.GetValue(output)}");
            return 0;
        });
        return cmd;
    }

    /// <summary>Loads <paramref name="model"/>, embeds <paramref name="inputs"/> on <paramref name="device"/> and writes <paramref name="output"/>.</summary>
    public static IReadOnlyDictionary<string, torch.Tensor> RunEmbed(string model, string inputs, string output, string device)
    {
        var dev = Devices.Resolve(device);
        using var clip = ModelImport.LoadDense(model);
        clip.to(dev);
        var tensors = ParityOutputs.Compute(clip, SafeTensors.Load(inputs), dev).ToDictionary();
        SafeTensors.Save(output, tensors);
        return tensors;
    }

    /// <summary>Re-exports <paramref name="model"/> into <paramref name="output"/>; with <paramref name="inputs"/>, adds the files compare-embeddings reads.</summary>
    public static void RunExport(string model, string output, string? inputs)
    {
        using (var clip = ModelImport.LoadDense(model)) ModelImport.SaveHuggingFace(clip, output);
        if (inputs is null) return;
        string copied = Path.Combine(output, ParityIo.InputsName);
        if (Path.GetFullPath(inputs) != Path.GetFullPath(copied)) File.Copy(inputs, copied, overwrite: true);
        RunEmbed(output, copied, Path.Combine(output, ParityIo.ClipUpOutputsName), "cpu");
    }

    /// <summary>Writes <c>[sot, ids..., eot]</c> for every caption of <paramref name="tsvs"/>; returns the number of lines.</summary>
    public static int RunTokens(IReadOnlyList<string> tsvs, string output)
    {
        var tok = ClipTokenizer.Default;
        var captions = ParityIo.ReadCaptions(tsvs);
        ParityIo.WriteTokenIds(output, captions.Select(c => (IReadOnlyList<long>)[tok.SotId, .. tok.Encode(c).Select(i => (long)i), tok.EotId]));
        return captions.Count;
    }

    /// <summary>Prints each tensor's largest difference from the reference; 0 when all are within <paramref name="atol"/>.</summary>
    public static int Report(IReadOnlyDictionary<string, torch.Tensor> reference, IReadOnlyDictionary<string, torch.Tensor> outputs, double atol)
    {
        var diffs = ParityIo.Compare(reference, outputs);
        foreach (var d in diffs)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{d.Name,-15} max|diff| {d.MaxAbsDiff:E2}  max|ref| {d.MaxAbsReference:E2}  {(d.MaxAbsDiff <= atol ? "ok" : "FAIL")}"));
        bool ok = diffs.All(d => d.MaxAbsDiff <= atol);
        Console.WriteLine(ok ? $"parity ok (atol {atol})" : $"parity FAILED (atol {atol})");
        return ok ? 0 : 1;
    }
}
