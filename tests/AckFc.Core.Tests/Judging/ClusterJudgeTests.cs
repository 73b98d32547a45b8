using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;
using Microsoft.Extensions.Time.Testing;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Judging;

public sealed class ClusterJudgeTests
{
    private static readonly ClusterJudge Judge = new(new FakeTimeProvider(Now));
    private const string Region = "cn-hangzhou";

    private static Finding FindingOf(ClusterReport report, string rule) => Assert.Single(report.Findings, f => f.RuleId == rule);

    private static ClusterReport JudgeKey(KmsKeyMetadata key, bool? service = false, string policy = "version: 1\n", IReadOnlyList<string>? aliases = null) =>
        Judge.Judge(Cluster("c-a-0000001", Region, key.KeyId), KeyEvidence.Read(key, service, aliases), PolicyOf(policy).Policy);

    public static TheoryData<string, KmsKeyMetadata, bool?, FindingStatus> KeyRules() => new()
    {
        { RuleCatalog.KeyDisabled, Key("k", Region, "Disabled"), false, FindingStatus.Fail },
        { RuleCatalog.KeyDisabled, Key("k", Region), false, FindingStatus.Pass },
        { RuleCatalog.KeyPendingDeletion, Key("k", Region, "PendingDeletion", deleteDate: Now.AddDays(3)), false, FindingStatus.Fail },
        { RuleCatalog.KeyPendingDeletion, Key("k", Region), false, FindingStatus.Pass },
        { RuleCatalog.KeyMaterial, Key("k", Region, "PendingImport"), false, FindingStatus.Fail },
        { RuleCatalog.KeyMaterial, Key("k", Region) with { Origin = "EXTERNAL", MaterialExpireTime = Now.AddDays(10) }, false, FindingStatus.Fail },
        { RuleCatalog.KeyMaterial, Key("k", Region) with { Origin = "EXTERNAL", MaterialExpireTime = Now.AddDays(90) }, false, FindingStatus.Pass },
        { RuleCatalog.KeyMaterial, Key("k", Region) with { Origin = "EXTERNAL", MaterialExpireTime = null }, false, FindingStatus.Pass },
        { RuleCatalog.KeyWrongType, Key("k", Region, spec: "Aliyun_SM4"), false, FindingStatus.Fail },
        { RuleCatalog.KeyWrongType, Key("k", Region) with { KeyUsage = "SIGN/VERIFY" }, false, FindingStatus.Fail },
        { RuleCatalog.KeyWrongType, Key("k", Region), false, FindingStatus.Pass },
        { RuleCatalog.ServiceKey, Key("k", Region), true, FindingStatus.Fail },
        { RuleCatalog.ServiceKey, Key("k", Region), null, FindingStatus.Unknown },
        { RuleCatalog.ServiceKey, Key("k", Region), false, FindingStatus.Pass },
        { RuleCatalog.KeyOtherRegion, Key("k", "cn-shanghai"), false, FindingStatus.Fail },
        { RuleCatalog.KeyOtherRegion, Key("k", Region) with { Arn = null }, false, FindingStatus.Unknown },
        { RuleCatalog.DeletionProtection, Key("k", Region, protection: false), false, FindingStatus.Fail },
        { RuleCatalog.DeletionProtection, Key("k", Region), false, FindingStatus.Pass },
        { RuleCatalog.Rotation, Key("k", Region, rotation: "Suspended"), false, FindingStatus.Fail },
        { RuleCatalog.Rotation, Key("k", Region), false, FindingStatus.Pass },
    };

    [Theory]
    [MemberData(nameof(KeyRules))]
    public void Judge_KeyRule_Status(string rule, KmsKeyMetadata key, bool? service, FindingStatus expected)
    {
        var finding = FindingOf(JudgeKey(key, service), rule);

        Assert.Equal(expected, finding.Status);
        Assert.Equal(RuleCatalog.Get(rule).CloudConfigRule, finding.CloudConfigRule);
    }

    [Theory]
    [InlineData(0, 0)]                 // deleted at this very moment: today
    [InlineData(-3600, 0)]             // already past
    [InlineData(7 * 86400, 7)]         // exactly seven days
    [InlineData(7 * 86400 - 1, 6)]     // one second short of seven days rounds down
    [InlineData(7 * 86400 + 1, 7)]
    public void Judge_PendingDeletion_DaysRoundedDown(int secondsLeft, int days)
    {
        var finding = FindingOf(JudgeKey(Key("k", Region, "PendingDeletion", deleteDate: Now.AddSeconds(secondsLeft))), RuleCatalog.KeyPendingDeletion);

        Assert.Equal(days, finding.DaysUntilDeletion);
        Assert.Equal(Severity.Critical, finding.Severity);
    }

    [Fact]
    public void Judge_ExpiringImportedMaterial_HighNotCritical()
    {
        var finding = FindingOf(JudgeKey(Key("k", Region) with { Origin = "EXTERNAL", MaterialExpireTime = Now.AddDays(5) }), RuleCatalog.KeyMaterial);

        Assert.Equal(Severity.High, finding.Severity);
    }

    [Fact]
    public void Judge_NonProCluster_NotApplicableWithReason()
    {
        var report = Judge.Judge(Cluster("c-a-0000001", Region, null, spec: "ack.standard"), null, PolicyOf("version: 1\n").Policy);

        Assert.Equal(FindingStatus.NotApplicable, report.Status);
        Assert.Contains("ack.standard", report.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_EncryptionOffAndRequired_Enc001Fails()
    {
        var report = Judge.Judge(Cluster("c-a-0000001", Region, null), null, PolicyOf("version: 1\n").Policy);

        Assert.Equal(FindingStatus.Fail, FindingOf(report, RuleCatalog.EncryptionEnabled).Status);
    }

    [Fact]
    public void Judge_UnreadableMetadata_Unknown()
    {
        var cluster = Cluster("c-a-0000001", Region, null) with { Encryption = ClusterEncryption.Unreadable("meta_data is not JSON") };

        var report = Judge.Judge(cluster, null, PolicyOf("version: 1\n").Policy);

        Assert.Equal(FindingStatus.Unknown, report.Status);
    }

    [Fact]
    public void Judge_KeyMissing_Key001Fails_OtherFailureUnknownNeverPass()
    {
        var policy = PolicyOf("version: 1\n").Policy;
        var missing = Judge.Judge(Cluster("c-a-0000001", Region, "k"), KeyEvidence.Failed(new(AlibabaCloudErrorKind.NotFound, "Forbidden.KeyNotFound", "gone", 404, "R-1")), policy);
        var denied = Judge.Judge(Cluster("c-a-0000001", Region, "k"), KeyEvidence.Failed(new(AlibabaCloudErrorKind.ClientError, "Forbidden.NoPermission", "no", 403, "R-2")), policy);

        Assert.Equal(FindingStatus.Fail, FindingOf(missing, RuleCatalog.KeyMissing).Status);
        Assert.Equal(FindingStatus.Unknown, denied.Status);
        Assert.Equal(("Forbidden.NoPermission", "R-2"), (FindingOf(denied, RuleCatalog.KeyMissing).ErrorCode, FindingOf(denied, RuleCatalog.KeyMissing).RequestId));
    }

    [Fact]
    public void Judge_AliasOnAllowList_Passes()
    {
        const string policy = "version: 1\nkeys:\n  allowed: [\"alias/ok-*\"]\n";

        Assert.Equal(FindingStatus.Pass, FindingOf(JudgeKey(Key("k", Region), policy: policy, aliases: ["alias/ok-1"]), RuleCatalog.KeyNotAllowed).Status);
        Assert.Equal(FindingStatus.Fail, FindingOf(JudgeKey(Key("k", Region), policy: policy, aliases: ["alias/other"]), RuleCatalog.KeyNotAllowed).Status);
    }

    [Theory]
    [InlineData("2026-12-31", FindingStatus.Waived, false)]
    [InlineData("2026-11-01", FindingStatus.Fail, true)]
    public void Judge_Waiver_LiveWaivesExpiredComesBack(string expires, FindingStatus status, bool expired)
    {
        var policy = $"version: 1\nwaivers:\n  - rule: ACKFC-KEY-010\n    reason: planned\n    owner: team\n    expires: {expires}\n";

        var report = JudgeKey(Key("k", Region, rotation: "Disabled"), policy: policy);
        var finding = FindingOf(report, RuleCatalog.Rotation);

        Assert.Equal(status, finding.Status);
        Assert.Equal(expired, finding.Waiver!.Expired);
        Assert.Equal(status, report.Status);
    }
}
