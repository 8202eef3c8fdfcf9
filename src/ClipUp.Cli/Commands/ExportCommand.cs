using System.CommandLine;
using ClipUp.Io;

namespace ClipUp.Cli.Commands;

/// <summary><c>clipup export</c>: any CLIP checkpoint ClipUp reads, written as an HF folder or a ClipUp file.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Checkpoint to read: HF folder, open_clip .safetensors, ClipUp file or training checkpoint.", Required = true };
        var to = new Option<string>("--to") { Description = "Where to write: a folder (hf) or a .safetensors file (clipup).", Required = true };
        var format = new Option<string>("--format") { Description = "hf (transformers CLIPModel folder) or clipup (ClipUp's own file).", DefaultValueFactory = _ => "hf" };
        var activation = new Option<string?>("--activation") { Description = "gelu or quick_gelu; needed for open_clip files without open_clip_config.json, overrides the file otherwise." };
        var cmd = new Command("export", "Convert a dense CLIP checkpoint to a Hugging Face folder or a ClipUp file.") { from, to, format, activation };
        cmd.SetAction(parse =>
        {
            foreach (var line in Run(parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(format)!, parse.GetValue(activation)))
                Console.WriteLine(line);
            return 0;
        });
        return cmd;
    }

    /// <summary>Loads <paramref name="from"/> into a ClipModel (every key and shape checked), writes it, and returns the report lines.</summary>
    public static IReadOnlyList<string> Run(string from, string to, string format, string? activation)
    {
        format = format.ToLowerInvariant();
        if (format is not ("hf" or "clipup")) throw new UserErrorException($"--format {format}: use hf or clipup");
        if (format == "clipup" && !to.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new UserErrorException($"--to {to}: a ClipUp file must end in .safetensors");
        if (format == "hf" && File.Exists(to)) throw new UserErrorException($"--to {to} is a file; an HF export is a folder");

        var imported = ModelImport.Import(from, activation);
        using var model = imported.Model;
        if (format == "hf") ModelImport.SaveHuggingFace(model, to);
        else ModelImport.SaveClipUp(model, to);
        return [
            $"read   {imported.Location.Scheme} {imported.Location.WeightsPath}",
            $"model  {InspectCommand.Describe(imported.Architecture)}",
            .. imported.Notes.Select(n => $"note   {n}"),
            $"wrote  {(format == "hf" ? "HF folder" : "ClipUp file")} {to}",
        ];
    }
}
