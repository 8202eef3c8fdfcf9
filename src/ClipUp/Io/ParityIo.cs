using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace ClipUp.Io;

/// <summary>How far a tensor computed by ClipUp is from the reference tensor of the same name.</summary>
public sealed record TensorDiff(string Name, double MaxAbsDiff, double MaxAbsReference);

/// <summary>
/// The files that ClipUp exchanges with <c>bench/reference/hf_parity.py</c> (see bench/reference/README.md). The inputs are
/// <c>pixel_values</c> [B, 3, S, S] F32 and <c>input_ids</c> [B, 77] I64. The outputs are <c>image_embeds</c>/<c>text_embeds</c>
/// [B, D] (L2-normalised, as returned by CLIPModel.forward) and <c>image_features</c>/<c>text_features</c> [B, D] (before
/// normalisation). Token ids go one caption per line, as space-separated integers.
/// </summary>
public static class ParityIo
{
    public const string InputsName = "inputs.safetensors";
    public const string ReferenceOutputsName = "outputs.safetensors";
    public const string ClipUpOutputsName = "clipup_outputs.safetensors";

    /// <summary>Writes one line per sequence, ids separated by single spaces, atomically.</summary>
    public static void WriteTokenIds(string path, IEnumerable<IReadOnlyList<long>> sequences)
    {
        var sb = new StringBuilder();
        foreach (var ids in sequences)
            sb.AppendJoin(' ', ids.Select(i => i.ToString(CultureInfo.InvariantCulture))).Append('\n');
        ModelFiles.WriteTextAtomic(path, sb.ToString());
    }

    /// <summary>Reads the file written by <see cref="WriteTokenIds"/>. An empty line is an empty sequence.</summary>
    public static List<long[]> ReadTokenIds(string path)
    {
        var result = new List<long[]>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ids = new long[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                if (!long.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ids[i]))
                    throw new InvalidDataException($"{path} line {lineNo}: '{parts[i]}' is not an integer token id");
            }
            result.Add(ids);
        }
        return result;
    }

    /// <summary>
    /// The <c>caption</c> column of each TSV in order, read exactly as <c>hf_parity.py</c>'s <c>read_captions</c> does
    /// (header line, then each non-empty line split at tabs, no quoting), so both sides tokenize the same strings.
    /// </summary>
    public static List<string> ReadCaptions(IEnumerable<string> tsvPaths)
    {
        var captions = new List<string>();
        foreach (var path in tsvPaths)
        {
            using var lines = File.ReadLines(path).GetEnumerator();
            if (!lines.MoveNext()) throw new InvalidDataException($"{path} is empty; expected a header line with a 'caption' column");
            int col = Array.IndexOf(lines.Current.Split('\t'), "caption");
            if (col < 0) throw new InvalidDataException($"{path} has no 'caption' column in its header '{lines.Current}'");
            int lineNo = 1;
            while (lines.MoveNext())
            {
                lineNo++;
                if (lines.Current.Length == 0) continue;
                var fields = lines.Current.Split('\t');
                captions.Add(col < fields.Length ? fields[col]
                    : throw new InvalidDataException($"{path} line {lineNo} has {fields.Length} fields; the caption is field {col + 1}"));
            }
        }
        return captions;
    }

    /// <summary>
    /// Compares every tensor in <paramref name="reference"/> with the tensor of the same name in <paramref name="candidate"/>
    /// in float64. Throws if a name is missing or the shapes differ.
    /// </summary>
    public static IReadOnlyList<TensorDiff> Compare(IReadOnlyDictionary<string, Tensor> reference, IReadOnlyDictionary<string, Tensor> candidate)
    {
        var diffs = new List<TensorDiff>();
        foreach (var (name, r) in reference.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!candidate.TryGetValue(name, out var c))
                throw new ArgumentException($"candidate lacks '{name}' (has {string.Join(", ", candidate.Keys)})");
            if (!r.shape.SequenceEqual(c.shape))
                throw new ArgumentException($"'{name}' is [{string.Join(", ", c.shape)}] but the reference is [{string.Join(", ", r.shape)}]");
            using var scope = NewDisposeScope();
            var r64 = r.to(ScalarType.Float64).cpu();
            var c64 = c.to(ScalarType.Float64).cpu();
            double diff = r.numel() == 0 ? 0 : (r64 - c64).abs().max().item<double>();
            double size = r.numel() == 0 ? 0 : r64.abs().max().item<double>();
            diffs.Add(new TensorDiff(name, diff, size));
        }
        return diffs;
    }
}
