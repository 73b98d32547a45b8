using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;
using Microsoft.Extensions.Time.Testing;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Judging;

/// <summary>
/// The cluster roll-up order, fail &gt; unknown &gt; waived &gt; pass &gt; notApplicable: every pair of statuses, in both
/// orders, and the pairs that matter most judged end to end (a waived finding must never hide a failing one).
/// </summary>
public sealed class ClusterRollupTests
{
    private const string Region = "cn-hangzhou";

    // Each status with the rank it holds in the roll-up (higher wins).
    private static readonly (FindingStatus Status, int Rank)[] Order =
    [
        (FindingStatus.NotApplicable, 0),
        (FindingStatus.Pass, 1),
        (FindingStatus.Waived, 2),
        (FindingStatus.Unknown, 3),
        (FindingStatus.Fail, 4),
    ];

    private static Finding Of(FindingStatus status, string rule = RuleCatalog.Rotation) =>
        new() { RuleId = rule, Status = status, Severity = Severity.Low, Message = status.ToString() };

    public static TheoryData<FindingStatus, FindingStatus, FindingStatus> Pairs()
    {
        var data = new TheoryData<FindingStatus, FindingStatus, FindingStatus>();
        foreach (var a in Order)
        {
            foreach (var b in Order)
            {
                data.Add(a.Status, b.Status, a.Rank >= b.Rank ? a.Status : b.Status);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Rollup_EveryPair_TheHigherStatusWins(FindingStatus first, FindingStatus second, FindingStatus expected)
    {
        Assert.Equal(expected, ClusterJudge.Rollup([Of(first), Of(second, RuleCatalog.DeletionProtection)]));
    }

    [Fact]
    public void Rollup_NoFindings_NotApplicable()
    {
        Assert.Equal(FindingStatus.NotApplicable, ClusterJudge.Rollup([]));
    }

    [Fact]
    public void Rollup_AllFiveStatuses_Fail()
    {
        Assert.Equal(FindingStatus.Fail, ClusterJudge.Rollup(Order.Select(o => Of(o.Status)).Reverse()));
    }

    private const string WaiveRotation = "  - rule: ACKFC-KEY-010\n    reason: rotation planned\n    owner: platform\n    expires: 2027-01-31\n";

    [Fact]
    public void Judge_OneWaivedAndOneFailingRule_ClusterFails()
    {
        // Rotation off (waived) and no deletion protection (not waived): the failing rule must not be hidden.
        var report = JudgeCluster(Key("k", Region, protection: false, rotation: "Disabled"), service: false, "waivers:\n" + WaiveRotation);

        Assert.Equal(FindingStatus.Waived, Single(report, RuleCatalog.Rotation).Status);
        Assert.Equal(FindingStatus.Fail, Single(report, RuleCatalog.DeletionProtection).Status);
        Assert.Equal(FindingStatus.Fail, report.Status);
    }

    [Fact]
    public void Judge_OneWaivedAndOneUnknownRule_ClusterUnknownWithTheReason()
    {
        // Whether the key is a service key could not be read (unknown); rotation off is waived.
        var report = JudgeCluster(Key("k", Region, rotation: "Disabled"), service: null, "waivers:\n" + WaiveRotation);

        Assert.Equal(FindingStatus.Waived, Single(report, RuleCatalog.Rotation).Status);
        Assert.Equal(FindingStatus.Unknown, report.Status);
        Assert.Equal(Single(report, RuleCatalog.ServiceKey).Message, report.StatusReason);
    }

    [Fact]
    public void Judge_OneWaivedRuleAndTheRestPassing_ClusterWaived()
    {
        var report = JudgeCluster(Key("k", Region, rotation: "Disabled"), service: false, "waivers:\n" + WaiveRotation);

        Assert.Equal(FindingStatus.Waived, report.Status);
        Assert.Null(report.StatusReason);
    }

    [Fact]
    public void Judge_OneUnknownAndOneFailingRule_ClusterFails()
    {
        var report = JudgeCluster(Key("k", Region, protection: false), service: null, string.Empty);

        Assert.Equal(FindingStatus.Unknown, Single(report, RuleCatalog.ServiceKey).Status);
        Assert.Equal(FindingStatus.Fail, report.Status);
    }

    [Fact]
    public void Judge_PassingAndNotApplicableRules_ClusterPasses()
    {
        // Deletion protection and rotation not required: notApplicable findings beside passing ones.
        var report = JudgeCluster(Key("k", Region, protection: false, rotation: "Disabled"), service: false,
            "keys:\n  requireDeletionProtection: false\n  requireRotation: false\n");

        Assert.Equal(FindingStatus.NotApplicable, Single(report, RuleCatalog.DeletionProtection).Status);
        Assert.Equal(FindingStatus.Pass, report.Status);
    }

    private static Finding Single(ClusterReport report, string rule) => Assert.Single(report.Findings, f => f.RuleId == rule);

    private static ClusterReport JudgeCluster(AckFc.AlibabaCloud.Kms.KmsKeyMetadata key, bool? service, string policy) =>
        new ClusterJudge(new FakeTimeProvider(Now)).Judge(Cluster("c-a-0000001", Region, key.KeyId), KeyEvidence.Read(key, service), PolicyOf("version: 1\n" + policy).Policy);
}
