using System.CommandLine;
using System.Globalization;
using ClipUp.Io;

namespace ClipUp.Cli.Commands;

/// <summary><c>clipup inspect</c>: what a checkpoint is, without building a model.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "Checkpoint file or folder." };
        var activation = new Option<string?>("--activation") { Description = "gelu or quick_gelu, for open_clip files without open_clip_config.json." };
        var cmd = new Command("inspect", "Print a checkpoint's format, architecture, parameter count and keys.") { path, activation };
        cmd.SetAction(parse =>
        {
            Console.Write(Render(parse.GetValue(path)!, parse.GetValue(activation)));
            return 0;
        });
        return cmd;
    }

    /// <summary>The report for the checkpoint at <paramref name="path"/>.</summary>
    public static string Render(string path, string? activation)
    {
        var loaded = ModelFiles.Load(path, activation is null ? null : ArchitectureMapping.ParseActivation(activation));
        var s = CheckpointSummary.Of(loaded);
        foreach (var t in loaded.Tensors.Values) t.Dispose();
        var w = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        w.WriteLine(Inv($"format        {s.Location.Scheme}"));
        w.WriteLine(Inv($"weights       {s.Location.WeightsPath}"));
        if (s.Location.ConfigPath is { } config) w.WriteLine(Inv($"config        {config}"));
        w.WriteLine(Inv($"architecture  {Describe(s.Architecture)}"));
        w.WriteLine(Inv($"parameters    {s.Parameters.Total:N0}") + (s.Parameters.Active != s.Parameters.Total ? Inv($" ({s.Parameters.Active:N0} active per token)") : ""));
        w.WriteLine(Inv($"tensors       {s.Tensors} in ClipUp keys, {string.Join(", ", s.DTypes)}"));
        foreach (var g in s.Groups)
            w.WriteLine(Inv($"  {g.Prefix,-28} {g.Tensors,5} tensors {g.Parameters,15:N0} parameters"));
        foreach (var note in s.Notes) w.WriteLine(Inv($"note          {note}"));
        return w.ToString();
    }

    private static string Inv(FormattableString s) => FormattableString.Invariant(s);

    /// <summary>One line: embed size, both towers and the activation (and the MoE layout, if any).</summary>
    public static string Describe(ClipArchitecture a)
    {
        var (v, t) = (a.Vision, a.Text);
        string moe = a.Moe is { } m
            ? $"; MoE {m.NumExperts} experts top-{m.TopK} in vision [{string.Join(", ", m.VisionLayers)}] text [{string.Join(", ", m.TextLayers)}]"
            : "";
        return $"embed {a.EmbedDim}; vision {v.ImageSize}px/{v.PatchSize} width {v.Width} × {v.Layers} layers, {v.Heads} heads, MLP {v.MlpHidden}; "
            + $"text context {t.ContextLength} vocab {t.VocabSize} width {t.Width} × {t.Layers} layers, {t.Heads} heads, MLP {t.MlpHidden}; "
            + HfClipConfig.ActivationName(a.Activation) + moe;
    }
}
