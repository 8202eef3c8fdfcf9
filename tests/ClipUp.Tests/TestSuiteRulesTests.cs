using System.Text.RegularExpressions;

namespace ClipUp.Tests;

/// <summary>Rules for the tests themselves, so a fresh clone on a loaded machine stays green (issue 15).</summary>
public class TestSuiteRulesTests
{
    private static IEnumerable<(string File, int Line, string Text)> TestSourceLines() =>
        Directory.GetFiles(Path.Combine(TestData.RepoRoot, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !f.EndsWith(nameof(TestSuiteRulesTests) + ".cs", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((text, i) => (Path.GetRelativePath(TestData.RepoRoot, f), i + 1, text)));

    [Fact]
    public void NoTestAssertsOnWallClockTime()
    {
        // A loaded machine is slower, not wrong: time belongs in bench/. An assertion that reads a clock fails there.
        var clockAsserts = TestSourceLines()
            .Where(l => Regex.IsMatch(l.Text, @"Assert\.\w+\(.*\b(Elapsed|Stopwatch|TotalSeconds|TotalMilliseconds)\b"))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}").ToList();
        Assert.True(clockAsserts.Count == 0, "wall-clock assertions:\n" + string.Join('\n', clockAsserts));
    }
}
