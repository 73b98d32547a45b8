using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;
using Microsoft.Extensions.Time.Testing;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Judging;

/// <summary>
/// What each finding tells its reader: the countdown of a deletion, the material's expiry, what is wrong with a key's
/// type, which allow-list a key misses, which waiver applies; and what the cluster's report entry carries.
/// </summary>
public sealed class ClusterJudgeFindingsTests
{
    private const string Region = "cn-hangzhou";
    private static readonly ClusterJudge Judge = new(new FakeTimeProvider(Now));

    private static Finding FindingOf(ClusterReport report, string rule) => Assert.Single(report.Findings, f => f.RuleId == rule);

    private static ClusterReport JudgeKey(KmsKeyMetadata key, string policy = "", bool? service = false, IReadOnlyList<string>? aliases = null) =>
        Judge.Judge(Cluster("c-a-0000001", Region, key.KeyId), KeyEvidence.Read(key, service, aliases), PolicyOf("version: 1\n" + policy).Policy);

    [Theory]
    [InlineData(null, "Key k is scheduled for deletion; ")]
    [InlineData(0, "Key k is deleted today on 2026-11-28;")]
    [InlineData(1, "Key k is deleted in 1 day on 2026-11-29;")]
    [InlineData(3, "Key k is deleted in 3 days on 2026-12-01;")]
    public void PendingDeletion_MessageCountsDownToTheDate(int? daysLeft, string text)
    {
        DateTimeOffset? deleteDate = daysLeft is { } d ? Now.AddDays(d) : null;

        var finding = FindingOf(JudgeKey(Key("k", Region, KmsKeyStates.PendingDeletion, deleteDate: deleteDate)), RuleCatalog.KeyPendingDeletion);

        Assert.Equal(FindingStatus.Fail, finding.Status);
        Assert.StartsWith(text, finding.Message, StringComparison.Ordinal);
        Assert.Equal(daysLeft, finding.DaysUntilDeletion);
        Assert.Equal(deleteDate?.ToString("O", System.Globalization.CultureInfo.InvariantCulture), finding.Details?["deleteDate"]);
        Assert.Equal(daysLeft is null, finding.Details is null);
    }

    [Theory]
    [InlineData(30, 30, FindingStatus.Fail)]   // on the warning boundary: warned
    [InlineData(31, 30, FindingStatus.Pass)]
    [InlineData(7, 5, FindingStatus.Pass)]     // the policy's own warning window
    [InlineData(5, 5, FindingStatus.Fail)]
    public void ImportedMaterial_FailsFromTheWarningWindowOn(int daysLeft, int warningDays, FindingStatus status)
    {
        var expires = Now.AddDays(daysLeft);
        var key = Key("k", Region) with { Origin = KmsKeyOrigins.External, MaterialExpireTime = expires };

        var finding = FindingOf(JudgeKey(key, $"keys:\n  materialExpiryWarningDays: {warningDays}\n"), RuleCatalog.KeyMaterial);

        Assert.Equal(status, finding.Status);
        if (status == FindingStatus.Fail)
        {
            Assert.Contains($"expires in {daysLeft} days ({expires.UtcDateTime:yyyy-MM-dd})", finding.Message, StringComparison.Ordinal);
            Assert.Equal(expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture), finding.Details!["materialExpireTime"]);
        }
        else
        {
            Assert.Contains("does not expire soon", finding.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KmsGeneratedMaterial_PassSayingSo()
    {
        var finding = FindingOf(JudgeKey(Key("k", Region)), RuleCatalog.KeyMaterial);

        Assert.Equal(FindingStatus.Pass, finding.Status);
        Assert.Contains("KMS-generated", finding.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string?, string?, string?, bool, FindingStatus, string> TypeCases() => new()
    {
        { "Aliyun_AES_256", "ENCRYPT/DECRYPT", "SOFTWARE", false, FindingStatus.Pass, "Key k is Aliyun_AES_256 for ENCRYPT/DECRYPT." },
        { "Aliyun_SM4", "ENCRYPT/DECRYPT", "SOFTWARE", false, FindingStatus.Fail, "Key k has spec Aliyun_SM4 (needs Aliyun_AES_256)." },
        { null, "ENCRYPT/DECRYPT", "SOFTWARE", false, FindingStatus.Fail, "Key k has spec unknown (needs Aliyun_AES_256)." },
        { "Aliyun_AES_256", "SIGN/VERIFY", "SOFTWARE", false, FindingStatus.Fail, "Key k has usage SIGN/VERIFY (needs ENCRYPT/DECRYPT)." },
        { "Aliyun_AES_256", null, "SOFTWARE", false, FindingStatus.Fail, "Key k has usage unknown (needs ENCRYPT/DECRYPT)." },
        { "Aliyun_SM4", "SIGN/VERIFY", "SOFTWARE", false, FindingStatus.Fail, "Key k has spec Aliyun_SM4 (needs Aliyun_AES_256), usage SIGN/VERIFY (needs ENCRYPT/DECRYPT)." },
        { "Aliyun_AES_256", "ENCRYPT/DECRYPT", "SOFTWARE", true, FindingStatus.Fail, "Key k has protection SOFTWARE (the policy needs HSM)." },
        { "Aliyun_AES_256", "ENCRYPT/DECRYPT", null, true, FindingStatus.Fail, "Key k has protection unknown (the policy needs HSM)." },
        { "Aliyun_AES_256", "ENCRYPT/DECRYPT", "HSM", true, FindingStatus.Pass, "Key k is Aliyun_AES_256 for ENCRYPT/DECRYPT." },
    };

    [Theory]
    [MemberData(nameof(TypeCases))]
    public void WrongType_NamesEveryProblem(string? spec, string? usage, string? protection, bool requireHsm, FindingStatus status, string message)
    {
        var key = Key("k", Region) with { KeySpec = spec, KeyUsage = usage, ProtectionLevel = protection };

        var finding = FindingOf(JudgeKey(key, requireHsm ? "keys:\n  requireHsm: true\n" : ""), RuleCatalog.KeyWrongType);

        Assert.Equal(status, finding.Status);
        Assert.Equal(message, finding.Message);
    }

    [Theory]
    [InlineData("keys:\n  allowed: [\"acs:kms:cn-hangzhou:*\"]\n", true, FindingStatus.Pass)]      // matched by its ARN
    [InlineData("keys:\n  allowed: [\"acs:kms:cn-hangzhou:*\"]\n", false, FindingStatus.Fail)]     // no ARN to match
    [InlineData("keys:\n  allowed: [\"k\"]\n", false, FindingStatus.Pass)]                         // matched by its id
    [InlineData("keys:\n  allowedByRegion:\n    cn-beijing: [\"other\"]\n", true, FindingStatus.Pass)] // another region's list
    [InlineData("keys:\n  allowedByRegion:\n    cn-hangzhou: [\"other\"]\n", true, FindingStatus.Fail)]
    public void AllowList_MatchesIdOrArnInTheClustersRegion(string policy, bool hasArn, FindingStatus status)
    {
        var key = hasArn ? Key("k", Region) : Key("k", Region) with { Arn = null };

        var finding = FindingOf(JudgeKey(key, policy), RuleCatalog.KeyNotAllowed);

        Assert.Equal(status, finding.Status);
        if (status == FindingStatus.Fail)
        {
            Assert.StartsWith("Key k is not on the policy's allow-list (", finding.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryKeyFinding_NamesTheKeyAndCarriesTheRulesSeverity()
    {
        var report = JudgeKey(Key("k", Region));

        Assert.All(report.Findings.Where(f => f.RuleId != RuleCatalog.EncryptionEnabled), f =>
        {
            Assert.Equal("k", f.KmsKeyId);
            Assert.Equal(RuleCatalog.Get(f.RuleId).Severity, f.Severity);
        });
        Assert.Equal("Secrets are encrypted with k.", FindingOf(report, RuleCatalog.EncryptionEnabled).Message);
        Assert.Equal(FindingStatus.Pass, report.Status);
        Assert.Null(report.StatusReason);
    }

    public static TheoryData<KmsKeyMetadata, string, string, FindingStatus, string> RuleMessages() => new()
    {
        { Key("k", Region, KmsKeyStates.Disabled), "", RuleCatalog.KeyDisabled, FindingStatus.Fail, "Key k is disabled" },
        { Key("k", Region), "", RuleCatalog.KeyDisabled, FindingStatus.Pass, "Key k is Enabled." },
        { Key("k", "cn-shanghai"), "", RuleCatalog.KeyOtherRegion, FindingStatus.Fail, "Key k is in cn-shanghai, not in the cluster's region cn-hangzhou." },
        { Key("k", Region), "", RuleCatalog.KeyOtherRegion, FindingStatus.Pass, "Key k is in cn-hangzhou." },
        { Key("k", Region, protection: false), "keys:\n  requireDeletionProtection: false\n", RuleCatalog.DeletionProtection, FindingStatus.NotApplicable, "The policy does not require deletion protection." },
        { Key("k", Region, protection: false), "", RuleCatalog.DeletionProtection, FindingStatus.Fail, "Key k has no deletion protection" },
        { Key("k", Region, rotation: "Suspended"), "", RuleCatalog.Rotation, FindingStatus.Fail, "Automatic rotation of key k is Suspended." },
        { Key("k", Region) with { AutomaticRotation = null }, "", RuleCatalog.Rotation, FindingStatus.Fail, "Automatic rotation of key k is off." },
        { Key("k", Region, rotation: "Disabled"), "keys:\n  requireRotation: false\n", RuleCatalog.Rotation, FindingStatus.NotApplicable, "The policy does not require rotation." },
        { Key("k", Region), "", RuleCatalog.KeyMissing, FindingStatus.Pass, "Key k exists." },
    };

    [Theory]
    [MemberData(nameof(RuleMessages))]
    public void KeyRule_StatusAndWhatItSays(KmsKeyMetadata key, string policy, string rule, FindingStatus status, string message)
    {
        var finding = FindingOf(JudgeKey(key, policy), rule);

        Assert.Equal(status, finding.Status);
        Assert.StartsWith(message, finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyNotRead_UnknownSayingSo_AndNoOtherKeyFinding()
    {
        var report = Judge.Judge(Cluster("c-a-0000001", Region, "k"), null, PolicyOf("version: 1\n").Policy);

        var finding = FindingOf(report, RuleCatalog.KeyMissing);
        Assert.Equal(FindingStatus.Unknown, finding.Status);
        Assert.Equal("Key k could not be read (it was not read).", finding.Message);
        Assert.Equal(2, report.Findings.Count);
        Assert.Equal(FindingStatus.Unknown, report.Status);
        Assert.Equal(finding.Message, report.StatusReason);
    }

    [Fact]
    public void KeyReadFailed_UnknownWithTheCloudsCodeAndText_MissingKeyFailsNamingTheRegion()
    {
        var policy = PolicyOf("version: 1\n").Policy;
        var denied = Judge.Judge(Cluster("c-a-0000001", Region, "k"), KeyEvidence.Failed(new(AlibabaCloudErrorKind.ClientError, "Forbidden.NoPermission", "not allowed", 403, "R-2")), policy);
        var missing = Judge.Judge(Cluster("c-a-0000001", Region, "k"), KeyEvidence.Failed(new(AlibabaCloudErrorKind.NotFound, "Forbidden.KeyNotFound", "gone", 404, "R-1")), policy);

        Assert.Equal("Key k could not be read (Forbidden.NoPermission: not allowed).", FindingOf(denied, RuleCatalog.KeyMissing).Message);
        var gone = FindingOf(missing, RuleCatalog.KeyMissing);
        Assert.StartsWith("Key k does not exist in cn-hangzhou (Forbidden.KeyNotFound)", gone.Message, StringComparison.Ordinal);
        Assert.Equal(("Forbidden.KeyNotFound", "R-1"), (gone.ErrorCode, gone.RequestId));
        Assert.Equal(FindingStatus.Fail, missing.Status);
    }

    [Theory]
    [InlineData("", FindingStatus.Fail)]
    [InlineData("encryption:\n  required: { none: true }\n", FindingStatus.NotApplicable)]
    public void EncryptionOff_FailsOnlyWhereRequired_AndNoKeyIsJudged(string policy, FindingStatus status)
    {
        var report = Judge.Judge(Cluster("c-a-0000001", Region, null), null, PolicyOf("version: 1\n" + policy).Policy);

        Assert.Equal(status, Assert.Single(report.Findings).Status);
        Assert.Equal(status, report.Status);
        Assert.Equal(RuleCatalog.EncryptionEnabled, report.Findings[0].RuleId);
    }

    [Fact]
    public void UnreadableEncryptionState_UnknownWithTheProblem()
    {
        var cluster = Cluster("c-a-0000001", Region, null) with { Encryption = ClusterEncryption.Unreadable("meta_data is not JSON") };

        var report = Judge.Judge(cluster, null, PolicyOf("version: 1\n").Policy);

        Assert.Contains("meta_data is not JSON", report.StatusReason, StringComparison.Ordinal);
        Assert.Equal(FindingStatus.Unknown, Assert.Single(report.Findings, f => f.RuleId == RuleCatalog.EncryptionEnabled).Status);
    }

    [Fact]
    public void NonProCluster_NoFindings_ReasonNamesTheType_WhenNoSpec()
    {
        var cluster = Cluster("c-a-0000001", Region, null) with { ClusterSpec = null, ClusterType = "Kubernetes" };

        var report = Judge.Judge(cluster, null, PolicyOf("version: 1\n").Policy);

        Assert.Equal(FindingStatus.NotApplicable, report.Status);
        Assert.Empty(report.Findings);
        Assert.Contains("this cluster is Kubernetes", report.StatusReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Report_CarriesTheClustersFacts(bool tagged)
    {
        var tags = tagged ? new Dictionary<string, string> { ["env"] = "prod" } : null;
        var cluster = Cluster("c-a-0000001", Region, "k", tags: tags);

        var report = Judge.Judge(cluster, KeyEvidence.Read(Key("k", Region), false), PolicyOf("version: 1\n").Policy);

        Assert.Equal(("c-a-0000001", "c-a-0000001", Region, "ack.pro.small", "ManagedKubernetes", "Default", "running"),
            (report.ClusterId, report.Name, report.RegionId, report.ClusterSpec, report.ClusterType, report.Profile, report.State));
        if (tagged)
        {
            Assert.Equal("prod", report.Tags!["env"]);
        }
        else
        {
            Assert.Null(report.Tags);
        }

        Assert.Equal(new EncryptionSummary(true, "k"), report.Encryption);
    }

    private static string Waivers(params (string Cluster, string Expires, string Owner)[] waivers) =>
        "waivers:\n" + string.Concat(waivers.Select(w =>
            $"  - rule: ACKFC-KEY-010\n    selector: {{ clusterIds: [\"{w.Cluster}\"] }}\n    reason: r-{w.Owner}\n    owner: {w.Owner}\n    expires: {w.Expires}\n"));

    [Fact]
    public void Waivers_TheLiveOneExpiringLastApplies()
    {
        var report = JudgeKey(Key("k", Region, rotation: "Disabled"),
            Waivers(("c-a-0000001", "2026-12-15", "early"), ("c-a-0000001", "2027-03-01", "late"), ("c-a-0000001", "2026-01-01", "gone")));

        var finding = FindingOf(report, RuleCatalog.Rotation);
        Assert.Equal(FindingStatus.Waived, finding.Status);
        Assert.Equal(("late", "r-late", false), (finding.Waiver!.Owner, finding.Waiver.Reason, finding.Waiver.Expired));
    }

    [Fact]
    public void Waivers_AllExpired_FailNamingTheLastOwnerAndDate()
    {
        var report = JudgeKey(Key("k", Region, rotation: "Disabled"),
            Waivers(("c-a-0000001", "2026-01-01", "first"), ("c-a-0000001", "2026-10-31", "last")));

        var finding = FindingOf(report, RuleCatalog.Rotation);
        Assert.Equal(FindingStatus.Fail, finding.Status);
        Assert.Equal(("last", true), (finding.Waiver!.Owner, finding.Waiver.Expired));
        Assert.EndsWith("(The waiver owned by last expired on 2026-10-31.)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Waivers_ForAnotherClusterOrOnAPassingRule_ChangeNothing()
    {
        var otherCluster = FindingOf(JudgeKey(Key("k", Region, rotation: "Disabled"), Waivers(("c-b-0000002", "2027-03-01", "x"))), RuleCatalog.Rotation);
        var passing = FindingOf(JudgeKey(Key("k", Region), Waivers(("c-a-0000001", "2027-03-01", "x"))), RuleCatalog.Rotation);

        Assert.Equal(FindingStatus.Fail, otherCluster.Status);
        Assert.Null(otherCluster.Waiver);
        Assert.Equal(FindingStatus.Pass, passing.Status);
        Assert.Null(passing.Waiver);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-86400 * 3, 0)]
    [InlineData(1, 0)]
    [InlineData(86400, 1)]
    [InlineData(86400 * 2 - 1, 1)]
    public void DaysUntil_WholeDaysRoundedDown_ZeroWhenPast(int seconds, int days)
    {
        Assert.Equal(days, ClusterJudge.DaysUntil(Now.AddSeconds(seconds), Now));
    }
}
