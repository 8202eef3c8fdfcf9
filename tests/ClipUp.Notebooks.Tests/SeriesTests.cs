using System.Text.RegularExpressions;

namespace ClipUp.Notebooks.Tests;

/// <summary>
/// The teaching series in notebooks/: every notebook runs top to bottom in the smoke profile (CPU, minutes) without a
/// failing cell. Outputs go to a temporary folder, so the committed notebooks are not rewritten by the tests. In the
/// default profile on purpose (issue 7: "the default test command executes every notebook"); each notebook's smoke run
/// is sized to stay within about a minute on CI's 2 cores. Every table it shows prints floating-point numbers with at
/// most 4 significant digits (issue 16: no <c>0.9999999403953552</c> in a table).
/// </summary>
public sealed partial class SeriesTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task TheNotebookRunsGreenInTheSmokeProfile(string notebook)
    {
        using var outDir = TestPaths.NewTempDir();
        var path = Path.Combine(TestPaths.RepoRoot, "notebooks", notebook);

        var summary = await NotebookRunner.RunAsync([path], "smoke", outDir.Path, TestContext.Current.CancellationToken);

        var result = Assert.Single(summary.Results);
        Assert.True(result.Status == NotebookStatus.Passed,
            $"{notebook} failed at cell {result.FailingCell} after {result.Elapsed.TotalSeconds:F0} s: {result.Error}");
        Assert.True(File.Exists(Path.Combine(outDir.Path, notebook)), "the executed notebook was not written");
        var tables = Ipynb.Read(Path.Combine(outDir.Path, notebook)).Cells.SelectMany(c => c.Outputs)
            .Select(o => o switch { DisplayDataOutput d => d.Data, ExecuteResultOutput r => r.Data, _ => null })
            .Where(d => d is not null && d.TryGetValue(Mime.Html, out var h) && h.StartsWith("<table>", StringComparison.Ordinal))
            .Select(d => d![Mime.Html]).ToList();
        var long_ = tables.SelectMany(t => Cells().Matches(t).SelectMany(c => Decimal().Matches(c.Groups[1].Value)))
            .Select(m => m.Value).Where(v => SignificantDigits(v) > 4).ToList();
        Assert.True(long_.Count == 0, $"{notebook}: table cells with more than 4 significant digits: {string.Join(", ", long_.Take(10))}");
    }

    /// <summary>Significant digits of a decimal number's mantissa (leading zeros do not count, trailing ones do).</summary>
    internal static int SignificantDigits(string number)
    {
        var mantissa = number.Split('e', 'E')[0].TrimStart('-', '+').Replace(".", "", StringComparison.Ordinal);
        return mantissa.TrimStart('0').Length;
    }

    [Fact]
    public void SignificantDigitsCountTheMantissaOnly()
    {
        Assert.Equal(16, SignificantDigits("0.9999999403953552"));
        Assert.Equal(4, SignificantDigits("0.001235"));
        Assert.Equal(4, SignificantDigits("1.000"));
        Assert.Equal(4, SignificantDigits("2.368e-15"));
    }

    [GeneratedRegex("<td>(.*?)</td>")]
    private static partial Regex Cells();

    /// <summary>Numbers with a decimal point or an exponent: floating-point values (integers such as counts are exact).</summary>
    [GeneratedRegex(@"-?\d+\.\d+(?:[eE][-+]?\d+)?|-?\d+[eE][-+]?\d+")]
    private static partial Regex Decimal();
}
