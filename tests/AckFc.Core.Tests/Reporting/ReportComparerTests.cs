using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;

namespace AckFc.Core.Tests.Reporting;

public sealed class ReportComparerTests
{
    private static ComplianceReport Sweep(int day, params ClusterReport[] clusters) =>
        ReportFixtures.Report(clusters, $"daily-{day}", ReportFixtures.Start.AddDays(day));

    private static ClusterReport Doomed(int days) =>
        ReportFixtures.Cluster("c-pay", "prod-payments", "cn-hangzhou",
            [ReportFixtures.Fail(RuleCatalog.KeyPendingDeletion, $"deleted in {days} days", "key-1", days)], "key-1");

    private static ClusterReport Healthy() =>
        ReportFixtures.Cluster("c-pay", "prod-payments", "cn-hangzhou", [ReportFixtures.Pass(RuleCatalog.KeyPendingDeletion, "key-1")], "key-1");

    [Fact]
    public void Compare_SequenceOfSweeps_NewThenUnchangedThenEscalatedThenResolved()
    {
        var sweeps = new[] { Sweep(0, Healthy()), Sweep(1, Doomed(9)), Sweep(2, Doomed(8)), Sweep(3, Doomed(7)), Sweep(4, Doomed(6)), Sweep(5, Healthy()) };

        var changes = sweeps.Zip(sweeps.Skip(1), ReportComparer.Compare).ToList();

        var created = Assert.Single(changes[0].New);
        Assert.Equal(("c-pay", RuleCatalog.KeyPendingDeletion), (created.ClusterId, created.Finding.RuleId));
        Assert.True(changes[1].IsEmpty);
        var escalated = Assert.Single(changes[2].Escalated);
        Assert.Equal(7, escalated.Finding.DaysUntilDeletion);
        Assert.Contains("within 7 days", escalated.Why, StringComparison.Ordinal);
        Assert.Empty(changes[2].New);
        Assert.True(changes[3].IsEmpty);
        var resolved = Assert.Single(changes[4].Resolved);
        Assert.Equal("passes now", resolved.Why);
        Assert.Equal(Severity.Critical, resolved.Finding.Severity);
    }

    [Fact]
    public void Compare_ReportsListingAClusterTwice_ComparesOnceInsteadOfThrowing()
    {
        // Found by the rendering fuzz test: a report read back from disk may list a cluster twice.
        var changes = ReportComparer.Compare(Sweep(0, Healthy(), Healthy()), Sweep(1, Doomed(9), Doomed(9)));

        var created = Assert.Single(changes.New);
        Assert.Equal("c-pay", created.ClusterId);
    }

    [Theory]
    [InlineData(31, 30, true)]
    [InlineData(30, 29, false)]
    [InlineData(12, 3, true)]
    [InlineData(2, 1, true)]
    [InlineData(1, 0, false)]
    [InlineData(40, 0, true)]
    public void Compare_CountdownCrossingThresholds_EscalatesOnlyOnCrossing(int before, int after, bool escalated)
    {
        var changes = ReportComparer.Compare(Sweep(0, Doomed(before)), Sweep(1, Doomed(after)));

        Assert.Equal(escalated, changes.Escalated.Count == 1);
        Assert.Empty(changes.New);
    }

    [Fact]
    public void Compare_SeverityRaised_Escalated()
    {
        var low = ReportFixtures.Cluster("c-1", "one", "cn-hangzhou", [ReportFixtures.Fail(RuleCatalog.KeyMaterial, "expires soon", "key-1", severity: Severity.High)], "key-1");
        var critical = low with { Findings = [ReportFixtures.Fail(RuleCatalog.KeyMaterial, "expired", "key-1")] };

        var change = Assert.Single(ReportComparer.Compare(Sweep(0, low), Sweep(1, critical)).Escalated);

        Assert.Equal("severity high → critical", change.Why);
    }

    [Fact]
    public void Compare_ClusterMissingFromIncompleteSweep_NotResolved()
    {
        var other = ReportFixtures.Cluster("c-2", "two", "cn-shanghai", [ReportFixtures.Pass(RuleCatalog.Rotation, "key-2")], "key-2");
        var incomplete = ReportFixtures.Report([other], "daily-1", ReportFixtures.Start.AddDays(1), complete: false);
        // Both regions were swept; only Shanghai still lists a cluster.
        var complete = ReportFixtures.Report([other], "daily-1", ReportFixtures.Start.AddDays(1), complete: true) with { Regions = ["cn-hangzhou", "cn-shanghai"] };

        Assert.Empty(ReportComparer.Compare(Sweep(0, Doomed(9), other), incomplete).Resolved);
        Assert.Equal("cluster no longer listed", Assert.Single(ReportComparer.Compare(Sweep(0, Doomed(9), other), complete).Resolved).Why);
    }

    [Fact]
    public void Compare_FindingNowUnknown_NeitherResolvedNorNew()
    {
        var unknown = Doomed(9) with
        {
            Status = FindingStatus.Unknown,
            Findings = [ReportFixtures.Fail(RuleCatalog.KeyPendingDeletion, "could not read", "key-1") with { Status = FindingStatus.Unknown }],
        };

        Assert.True(ReportComparer.Compare(Sweep(0, Doomed(9)), Sweep(1, unknown)).IsEmpty);
    }

    [Fact]
    public void Compare_WaivedThenWaiverExpired_ResolvedThenNewAgain()
    {
        var waived = Doomed(20) with { Findings = [Doomed(20).Findings[0] with { Status = FindingStatus.Waived }] };

        var first = ReportComparer.Compare(Sweep(0, Doomed(20)), Sweep(1, waived));
        var second = ReportComparer.Compare(Sweep(1, waived), Sweep(2, Doomed(19)));

        Assert.Equal("waived", Assert.Single(first.Resolved).Why);
        Assert.Equal("no longer waived", Assert.Single(second.New).Why);
    }

    [Fact]
    public void Compare_NewFindings_WorstFirst()
    {
        var rotation = ReportFixtures.Cluster("c-a", "a", "cn-hangzhou", [ReportFixtures.Fail(RuleCatalog.Rotation, "rotation off", "key-2")], "key-2");
        var disabled = ReportFixtures.Cluster("c-b", "b", "cn-hangzhou", [ReportFixtures.Fail(RuleCatalog.KeyDisabled, "disabled", "key-3")], "key-3");

        var changes = ReportComparer.Compare(Sweep(0), Sweep(1, rotation, disabled, Doomed(3)));

        Assert.Equal([RuleCatalog.KeyPendingDeletion, RuleCatalog.KeyDisabled, RuleCatalog.Rotation], changes.New.Select(c => c.Finding.RuleId));
    }
}
