using AckFc.AlibabaCloud;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;
using static AckFc.Core.Tests.Reporting.ReportFixtures;

namespace AckFc.Core.Tests.Reporting;

/// <summary>The one Error line of a sweep whose report set could not be written: what it names, and its bounds.</summary>
public sealed class PublishFailureLineTests
{
    private const string Store = "oss://ackfc-reports/ackfc/";
    private const string SecretCanary = "sEcReT-cAnArY-0123456789abcdefghij";

    /// <summary><paramref name="count"/> clusters: every 3rd fails KEY-003 and KEY-009, every 3rd ENC-001, the rest pass.</summary>
    private static ComplianceReport Fleet(int count) => Report(
    [
        .. Enumerable.Range(0, count).Select(i => (i % 3) switch
        {
            0 => Cluster($"c-{i:D32}", $"prod-{i}", "cn-hangzhou",
                [Fail(RuleCatalog.KeyPendingDeletion, "deleted in 5 days", "key-1", 5), Fail(RuleCatalog.DeletionProtection, "no protection", "key-1")], "key-1"),
            1 => Cluster($"c-{i:D32}", $"dev-{i}", "cn-shanghai", [Fail(RuleCatalog.EncryptionEnabled, "off")]),
            _ => Cluster($"c-{i:D32}", $"ok-{i}", "cn-shanghai", [Pass(RuleCatalog.EncryptionEnabled)], "key-2"),
        }),
    ]);

    private static AlibabaCloudException Unavailable() =>
        new(AlibabaCloudErrorKind.Transient, "ServiceUnavailable", $"Please try again ({SecretCanary})", 503, "5F3A9C0E", "PutObject");

    [Fact]
    public void For_TenThousandFailingClusters_BoundedAndCountsEveryRule()
    {
        var report = Fleet(15_000);
        var line = PublishFailureLine.For(new ReportPublishException(report, Store, Unavailable()));

        Assert.InRange(line.Length, 1, PublishFailureLine.MaxLength);
        Assert.Contains("Sweep daily-20261128T030000Z: its report set could not be written to oss://ackfc-reports/ackfc/", line, StringComparison.Ordinal);
        Assert.Contains("(PutObject ServiceUnavailable, HTTP 503, request id 5F3A9C0E, after retries)", line, StringComparison.Ordinal);
        Assert.Contains("Findings: 15000 clusters, 10000 fail, 0 unknown, 5000 pass", line, StringComparison.Ordinal);
        Assert.Contains("Failing by rule: ACKFC-ENC-001 5000, ACKFC-KEY-003 5000, ACKFC-KEY-009 5000.", line, StringComparison.Ordinal);
        Assert.Contains($"c-{0:D32} [cn-hangzhou] ACKFC-KEY-003+ACKFC-KEY-009, c-{1:D32} [cn-shanghai] ACKFC-ENC-001", line, StringComparison.Ordinal);
        var named = line.Split(" [cn-").Length - 1;
        Assert.Equal(PublishFailureLine.MaxClusters, named);
        Assert.EndsWith($", …and {10_000 - named} more.", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void For_NeverCarriesTheCloudsMessageOrASecret()
    {
        var line = PublishFailureLine.For(new ReportPublishException(Fleet(30), Store, Unavailable()));

        Assert.DoesNotContain(SecretCanary, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Please try again", line, StringComparison.Ordinal);
    }

    [Fact]
    public void For_HostileAndHugeIds_StayOneBoundedLine()
    {
        var hostile = "\u202eFAKE\r\nError line " + new string('x', 5_000);
        var clusters = Enumerable.Range(0, 10_000)
            .Select(i => Cluster(hostile + i, "n", "cn-hangzhou\n" + hostile, [Fail(RuleCatalog.EncryptionEnabled, "off")]))
            .ToList();
        var report = Report(clusters, sweepId: "s\n" + hostile);
        var line = PublishFailureLine.For(new ReportPublishException(report, Store, new IOException("disk full\nsecond line " + hostile)));

        Assert.InRange(line.Length, 1, PublishFailureLine.MaxLength);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.DoesNotContain('\u202e', line);
        Assert.Contains("{U+202E}", line, StringComparison.Ordinal);
        Assert.Contains("IOException: disk full second line", line, StringComparison.Ordinal);
        Assert.Matches(@"…and \d+ more\.$", line);
    }

    [Fact]
    public void For_NothingFailing_SaysSoWithoutAClusterList()
    {
        var report = Report([Cluster("c-ok", "ok", "cn-hangzhou", [Pass(RuleCatalog.EncryptionEnabled)], "key-1")]);
        var line = PublishFailureLine.For(report, "/mnt/reports", ReportPublishException.CauseOf(new OperationCanceledException()));

        Assert.Contains("could not be written to /mnt/reports (ran out of time: the invocation's deadline came first)", line, StringComparison.Ordinal);
        Assert.Contains("Findings: 1 clusters, 0 fail", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Failing", line, StringComparison.Ordinal);
    }

    [Fact]
    public void For_ManyRulesOnOneCluster_CappedPerCluster()
    {
        var rules = RuleCatalog.All.Select(r => r.Id).Where(id => id != RuleCatalog.NeverDisable).ToList();
        var report = Report([Cluster("c-many", "m", "cn-hangzhou", [.. rules.Select(r => Fail(r, "x"))], "key-1")]);

        var line = PublishFailureLine.For(report, Store, "PutObject ServiceUnavailable");

        Assert.Contains($"c-many [cn-hangzhou] {string.Join('+', rules.Take(5))}+{rules.Count - 5} more.", line, StringComparison.Ordinal);
    }
}
