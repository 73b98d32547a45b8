using System.Text.RegularExpressions;
using AckFc.Core.Tests.Reporting;

namespace AckFc.Core.Tests.Architecture;

/// <summary>
/// Core's folders are layers: a file may use its own layer and those below, never one above. Checked on the source
/// text, so a new upward <c>using</c> or fully qualified reference fails here before it becomes a cycle.
/// </summary>
public sealed partial class LayeringTests
{
    // Lowest first. Layers on the same rank do not use each other.
    private static readonly string[][] Layers =
    [
        ["Settings", "Clusters", "Signatures", "Accounts"],
        ["Rules"],
        ["Policy"],
        ["Judging"],
        ["Evidence"],
        ["Encryption"],
        ["Compliance"],
        ["Reporting"],
        ["Guard"],
    ];

    private static int RankOf(string layer) => Array.FindIndex(Layers, rank => rank.Contains(layer));

    /// <summary>Every reference from a file of <paramref name="layer"/> to a Core layer it may not use.</summary>
    internal static IReadOnlyList<string> UpwardReferences(string layer, string source)
    {
        var rank = RankOf(layer);
        return [.. CoreReference().Matches(source)
            .Select(m => m.Groups["layer"].Value)
            .Where(used => used != layer && RankOf(used) is var r && (r < 0 || r >= rank))
            .Distinct()];
    }

    [Fact]
    public void NoCoreFolder_UsesAFolderAboveIt()
    {
        var core = Path.Combine(RepoPaths.Root, "functions", "AckFc.Core");
        var problems = new List<string>();
        foreach (var folder in Directory.GetDirectories(core).Select(Path.GetFileName).OfType<string>().Where(f => f is not ("bin" or "obj")))
        {
            Assert.True(RankOf(folder) >= 0, $"functions/AckFc.Core/{folder} is not in the layer list of {nameof(LayeringTests)}: add it where it belongs.");
            foreach (var file in Directory.GetFiles(Path.Combine(core, folder), "*.cs", SearchOption.AllDirectories))
            {
                problems.AddRange(UpwardReferences(folder, File.ReadAllText(file)).Select(used => $"{Path.GetRelativePath(core, file)} uses {used}"));
            }
        }

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("Policy", "using AckFc.Core.Encryption;\n", "Encryption")]
    [InlineData("Judging", "var x = AckFc.Core.Compliance.ComplianceService.Actor;", "Compliance")]
    [InlineData("Encryption", "using AckFc.Core.Compliance;", "Compliance")]
    [InlineData("Settings", "using AckFc.Core.Rules;", "Rules")]
    [InlineData("Compliance", "using AckFc.Core.Encryption;\nusing AckFc.Core.Judging;", "")]
    [InlineData("Reporting", "using AckFc.Core.Compliance;\nusing AckFc.Core.Rules;", "")]
    public void UpwardReferences_AreFound(string layer, string source, string expected)
    {
        Assert.Equal(expected, string.Join(",", UpwardReferences(layer, source)));
    }

    [GeneratedRegex(@"(?<![\w.])AckFc\.Core\.(?<layer>[A-Z]\w*)")]
    private static partial Regex CoreReference();
}
