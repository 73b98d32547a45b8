using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// The whole demo-fleet report against a table written from the fleet's description: every cluster's status and
/// exactly the rules it fails or has waived, so a healthy cluster that fails, a rule that fails where nothing was
/// planted, or a planted risk that is missed all show. Read from the report file the timer wrote.
/// </summary>
public sealed class DemoFleetReportTests : LocalRunTest
{
    private const string Pass = "pass", Fail = "fail", NotApplicable = "notApplicable", Waived = "waived";

    // Cluster → expected status, the rules that fail, the rules that are waived.
    private static readonly Dictionary<string, (string Status, string[] Failing, string[] WaivedRules)> Expected = new(StringComparer.Ordinal)
    {
        ["c-demo-hz-payments"] = (Pass, [], []),
        ["c-demo-hz-orders"] = (Pass, [], []),
        ["c-demo-hz-analytics"] = (Fail, ["ACKFC-ENC-001"], []),
        ["c-demo-hz-basic"] = (NotApplicable, [], []),
        ["c-demo-hz-ghost"] = (Fail, ["ACKFC-KEY-001"], []),
        ["c-demo-hz-batch"] = (Fail, ["ACKFC-KEY-002"], []),
        ["c-demo-hz-reporting"] = (Fail, ["ACKFC-KEY-003", "ACKFC-KEY-009"], []),
        ["c-demo-hz-byok"] = (Fail, ["ACKFC-KEY-004", "ACKFC-KEY-010"], []),
        ["c-demo-sh-web"] = (Pass, [], []),
        ["c-demo-sh-legacy"] = (Fail, ["ACKFC-KEY-005"], []),
        ["c-demo-sh-sm4"] = (Fail, ["ACKFC-KEY-006"], []),
        ["c-demo-sh-service"] = (Fail, ["ACKFC-KEY-005", "ACKFC-KEY-007"], []),
        ["c-demo-sh-crossregion"] = (Fail, ["ACKFC-KEY-008"], []),
        ["c-demo-sh-import"] = (Fail, ["ACKFC-KEY-004", "ACKFC-KEY-010"], []),
        ["c-demo-sg-api"] = (Fail, ["ACKFC-KEY-009"], []),
        ["c-demo-sg-search"] = (Waived, [], ["ACKFC-KEY-010"]),
        ["c-demo-sg-serverless"] = (Pass, [], []),
    };

    [Fact]
    public async Task Timer_DemoFleet_EveryClusterHasItsExpectedStatusAndOnlyItsPlantedRulesFail()
    {
        var (_, status, body) = await Stack.FireTimerAsync("{\"mode\":\"report\"}", DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(status == 200, $"timer answered {status}: {body}");

        var report = JsonSerializer.Deserialize(await File.ReadAllTextAsync(Path.Combine(Reports, "latest.json")), ReportJsonContext.Default.ComplianceReport);
        Assert.NotNull(report);
        Assert.True(report.Complete);
        Assert.Empty(report.Errors);
        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), report.Clusters.Select(c => c.ClusterId).Order(StringComparer.Ordinal));

        var wrong = new List<string>();
        foreach (var cluster in report.Clusters)
        {
            var (expectedStatus, failing, waived) = Expected[cluster.ClusterId];
            var actualStatus = Name(cluster.Status);
            var actualFailing = Rules(cluster, FindingStatus.Fail);
            var actualWaived = Rules(cluster, FindingStatus.Waived);
            if (actualStatus != expectedStatus || !actualFailing.SequenceEqual(failing.Order(StringComparer.Ordinal)) || !actualWaived.SequenceEqual(waived.Order(StringComparer.Ordinal)))
            {
                wrong.Add($"{cluster.ClusterId}: expected {expectedStatus} failing [{string.Join(", ", failing)}] waived [{string.Join(", ", waived)}], " +
                          $"got {actualStatus} failing [{string.Join(", ", actualFailing)}] waived [{string.Join(", ", actualWaived)}]");
            }

            Assert.DoesNotContain(cluster.Findings, f => f.Status == FindingStatus.Unknown);
        }

        Assert.True(wrong.Count == 0, "The demo report differs from the fleet's description:\n" + string.Join('\n', wrong));
        Assert.Equal(Expected.Count(e => e.Value.Status == Fail), report.Summary.Fail);
        Assert.Equal(Expected.Count(e => e.Value.Status == Pass), report.Summary.Pass);
        Assert.Equal(Expected.Count(e => e.Value.Status == Waived), report.Summary.Waived);
        Assert.Equal(Expected.Count(e => e.Value.Status == NotApplicable), report.Summary.NotApplicable);
        Assert.Equal(0, report.Summary.Unknown);
    }

    private static string Name(FindingStatus status) => status switch
    {
        FindingStatus.Pass => Pass,
        FindingStatus.Fail => Fail,
        FindingStatus.NotApplicable => NotApplicable,
        FindingStatus.Waived => Waived,
        _ => "unknown",
    };

    private static List<string> Rules(ClusterReport cluster, FindingStatus status) =>
        [.. cluster.Findings.Where(f => f.Status == status).Select(f => f.RuleId).Distinct().Order(StringComparer.Ordinal)];
}
