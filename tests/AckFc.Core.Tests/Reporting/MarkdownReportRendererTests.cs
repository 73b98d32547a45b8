using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;

namespace AckFc.Core.Tests.Reporting;

public sealed class MarkdownReportRendererTests
{
    [Fact]
    public void Render_ManyFailures_CapsItemsWithAndNMore()
    {
        var clusters = Enumerable.Range(0, 40)
            .Select(i => ReportFixtures.Cluster($"c-{i:00}", $"cluster-{i:00}", "cn-hangzhou", [ReportFixtures.Fail(RuleCatalog.Rotation, "Automatic rotation is off", "key-1")], "key-1"))
            .ToList();
        var digest = ReportDigest.Create(ReportFixtures.Report(clusters), changes: null, maxItems: 10);

        var markdown = MarkdownReportRenderer.Render(digest);

        Assert.Equal(10, markdown.Split('\n').Count(l => l.StartsWith("- ", StringComparison.Ordinal)));
        Assert.Contains("… and 30 more", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LengthCap_DropsItemsIntoTheMoreCount()
    {
        var clusters = Enumerable.Range(0, 30)
            .Select(i => ReportFixtures.Cluster($"c-{i:00}", $"cluster-{i:00}-{new string('x', 120)}", "cn-hangzhou", [ReportFixtures.Fail(RuleCatalog.Rotation, "Automatic rotation is off", "key-1")], "key-1"))
            .ToList();
        var digest = ReportDigest.Create(ReportFixtures.Report(clusters), changes: null, maxItems: 30);

        var markdown = MarkdownReportRenderer.Render(digest, maxLength: 1500);

        Assert.True(markdown.Length <= 1500, $"length {markdown.Length}");
        var shown = markdown.Split('\n').Count(l => l.StartsWith("- ", StringComparison.Ordinal));
        Assert.Contains($"… and {30 - shown} more", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Changes_WorstFirstWithCountdownAndLink()
    {
        var before = ReportFixtures.DemoFleet(daysLeft: 9);
        var after = ReportFixtures.DemoFleet(daysLeft: 6, sweepId: "daily-20261201T030000Z", at: ReportFixtures.Start.AddDays(3));
        var changes = ReportComparer.Compare(before, after);
        var digest = ReportDigest.Create(after, changes, 10, new Uri("https://reports.example.com/daily?id=1"));

        var markdown = MarkdownReportRenderer.Render(digest);

        var firstItem = markdown.Split('\n').First(l => l.StartsWith("- ", StringComparison.Ordinal));
        Assert.Contains("escalated", firstItem, StringComparison.Ordinal);
        Assert.Contains("ACKFC-KEY-003", firstItem, StringComparison.Ordinal);
        Assert.Contains("`kms-key-state-not-pending-deletion`", firstItem, StringComparison.Ordinal);
        Assert.Contains($"Key {ReportFixtures.DoomedKey} used by 3 clusters is deleted in 6 days", markdown.Replace("\\", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("[Full report](https://reports.example.com/daily?id=1)", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Escape_LinkAndMarkup_CannotFormALink()
    {
        var escaped = MarkdownReportRenderer.Escape("[click](https://evil.example) *bold* <b>");

        Assert.DoesNotContain("[click](", escaped, StringComparison.Ordinal);
        // The URL is defanged too, so no chat client turns it into a link.
        Assert.Equal("\\[click\\](https\\[:\\]//evil.example) \\*bold\\* \\<b\\>", escaped);
    }
}
