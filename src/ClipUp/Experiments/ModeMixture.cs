using System.Security.Cryptography;
using System.Text;
using ClipUp.Data;

namespace ClipUp.Experiments;

/// <summary>The rows of a mixture: row i of <c>mixture.tsv</c> is (Images[i], Captions[i], Domains[i]).</summary>
/// <param name="Path">The combined table.</param>
/// <param name="Sha256">Hash of its bytes; clustering.json records it so shards of another mixture are refused.</param>
public sealed record ModeMixture(string Path, IReadOnlyList<string> Images, IReadOnlyList<string> Captions, IReadOnlyList<string> Domains, string Sha256)
{
    public int Rows => Captions.Count;

    /// <summary>Domain names in table order.</summary>
    public IReadOnlyList<string> DomainNames => Domains.Distinct().ToArray();

    /// <summary>
    /// Reads every table (empty captions are dropped, as <see cref="CsvImageTextSource"/> does) and writes the combined
    /// table <c>image	caption	domain</c> with absolute image paths to <see cref="ModePaths.Mixture"/>, so one
    /// <see cref="TrainRun"/> reads all domains and an expert's rows are plain row numbers of one file. The file is
    /// rewritten only when its bytes would change, so re-running a stage never invalidates the shards.
    /// </summary>
    public static ModeMixture Write(ModeConfig config)
    {
        var images = new List<string>();
        var captions = new List<string>();
        var domains = new List<string>();
        foreach (var table in config.Tables)
        {
            var options = new CsvSourceOptions(table.Path) { ImageRoot = table.Images ?? DataConfig.DefaultImageRoot(table.Path) };
            var source = new CsvImageTextSource(options);
            for (var i = 0; i < source.Count; i++)
            {
                images.Add(System.IO.Path.GetFullPath(source[i].Image));
                captions.Add(source[i].Caption);
                domains.Add(table.DomainName);
            }
        }
        var text = new StringBuilder("image\tcaption\tdomain\n");
        for (var i = 0; i < captions.Count; i++)
            text.Append(Field(images[i])).Append('\t').Append(Field(captions[i])).Append('\t').Append(Field(domains[i])).Append('\n');
        var bytes = new UTF8Encoding(false).GetBytes(text.ToString());
        var path = config.Paths.Mixture;
        Directory.CreateDirectory(config.Out);
        if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            File.WriteAllBytes(path + ".tmp", bytes);
            File.Move(path + ".tmp", path, overwrite: true);
        }
        return new ModeMixture(path, images, captions, domains, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Quotes a field that holds a tab, a line break or a leading quote (the reader's quoting rule, <see cref="Csv"/>).</summary>
    private static string Field(string value) =>
        value.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0 || value.StartsWith('"')
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}
