using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Core.Tests.Reporting;

/// <summary>Reports shaped like the demo fleet: every status, a key pending deletion, waivers, errors, hostile names.</summary>
internal static class ReportFixtures
{
    public const string PlantedClusterId = "c-planted0payments";
    public const string PlantedClusterName = "prod-payments";
    public const string HostileName = "<script>alert(1)</script>";
    public const string HostileAttributeName = "\"><img src=x onerror=alert(2)>";
    public const string DoomedKey = "key-hzz6a7f5e0d3c2b1a0x9";

    public static readonly DateTimeOffset Start = new(2026, 11, 28, 3, 0, 0, TimeSpan.Zero);

    public static Finding Fail(string ruleId, string message, string? key = null, int? days = null, Severity? severity = null) => new()
    {
        RuleId = ruleId,
        Status = FindingStatus.Fail,
        Severity = severity ?? RuleCatalog.Get(ruleId).Severity,
        Message = message,
        KmsKeyId = key,
        DaysUntilDeletion = days,
        CloudConfigRule = RuleCatalog.Get(ruleId).CloudConfigRule,
    };

    public static Finding Pass(string ruleId, string? key = null) => new()
    {
        RuleId = ruleId,
        Status = FindingStatus.Pass,
        Severity = RuleCatalog.Get(ruleId).Severity,
        Message = RuleCatalog.Get(ruleId).Title,
        KmsKeyId = key,
        CloudConfigRule = RuleCatalog.Get(ruleId).CloudConfigRule,
    };

    public static ClusterReport Cluster(string id, string name, string region, IReadOnlyList<Finding> findings, string? key = null,
        FindingStatus? status = null, string? reason = null, bool? encrypted = null) => new()
    {
        ClusterId = id,
        Name = name,
        RegionId = region,
        ClusterSpec = "ack.pro.small",
        ClusterType = "ManagedKubernetes",
        Encryption = new EncryptionSummary(encrypted ?? key is not null, key),
        Status = status ?? Worst(findings),
        StatusReason = reason,
        Findings = findings,
    };

    public static FindingStatus Worst(IReadOnlyList<Finding> findings) =>
        findings.Any(f => f.Status == FindingStatus.Fail) ? FindingStatus.Fail
        : findings.Any(f => f.Status == FindingStatus.Unknown) ? FindingStatus.Unknown
        : findings.Any(f => f.Status == FindingStatus.Waived) ? FindingStatus.Waived
        : FindingStatus.Pass;

    public static ComplianceReport Report(IReadOnlyList<ClusterReport> clusters, string sweepId = "daily-20261128T030000Z", DateTimeOffset? at = null,
        bool complete = true, IReadOnlyList<ReportError>? errors = null) => new()
    {
        SweepId = sweepId,
        StartedAt = at ?? Start,
        FinishedAt = (at ?? Start).AddSeconds(42),
        TriggerTime = at ?? Start,
        Complete = complete,
        Mode = SweepMode.Report,
        Regions = [.. clusters.Select(c => c.RegionId).Distinct().Order(StringComparer.Ordinal)],
        PolicyVersion = "5f2b3c4d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819",
        Summary = ReportSummary.From(clusters),
        Clusters = clusters,
        Errors = errors ?? [],
    };

    /// <summary>The demo-like fleet: 14 clusters in two regions.</summary>
    public static ComplianceReport DemoFleet(bool hostile = true, int daysLeft = 5, string sweepId = "daily-20261128T030000Z", DateTimeOffset? at = null)
    {
        var goodKey = "key-hzz62f1c0b9a8e7d6c5b4";
        var healthy = new[] { Pass(RuleCatalog.EncryptionEnabled, goodKey), Pass(RuleCatalog.KeyPendingDeletion, goodKey), Pass(RuleCatalog.DeletionProtection, goodKey), Pass(RuleCatalog.Rotation, goodKey) };
        var doomed = Fail(RuleCatalog.KeyPendingDeletion, $"Key {DoomedKey} used by this cluster is deleted in {daysLeft} days", DoomedKey, daysLeft);
        var clusters = new List<ClusterReport>
        {
            Cluster(PlantedClusterId, PlantedClusterName, "cn-hangzhou", [doomed, Fail(RuleCatalog.DeletionProtection, "Deletion protection is off on the cluster's key", DoomedKey), Pass(RuleCatalog.Rotation, DoomedKey)], DoomedKey),
            Cluster("c-orders0hz", "prod-orders", "cn-hangzhou", [doomed, Pass(RuleCatalog.Rotation, DoomedKey)], DoomedKey),
            Cluster("c-search0sh", "prod-search", "cn-shanghai", [doomed], DoomedKey),
            Cluster("c-billing0hz", "billing", "cn-hangzhou", [Fail(RuleCatalog.EncryptionEnabled, "Secret encryption is off; the policy requires it for env=prod")], encrypted: false),
            Cluster("c-legacy0hz", "legacy-api", "cn-hangzhou", [Fail(RuleCatalog.KeyDisabled, "Key key-hzz0disabled0000 is Disabled: Secrets cannot be decrypted", "key-hzz0disabled0000")], "key-hzz0disabled0000"),
            Cluster("c-stage0sh", "staging-web", "cn-shanghai", [Fail(RuleCatalog.Rotation, "Automatic rotation is off", goodKey), Pass(RuleCatalog.DeletionProtection, goodKey)], goodKey),
            Cluster("c-ml0sh", "ml-training", "cn-shanghai", [Fail(RuleCatalog.KeyOtherRegion, "Key is in cn-hangzhou, the cluster in cn-shanghai", goodKey)], goodKey),
            Cluster("c-web0hz", "prod-web", "cn-hangzhou", healthy, goodKey),
            Cluster("c-api0hz", "prod-api", "cn-hangzhou", healthy, goodKey),
            Cluster("c-data0sh", "data-lake", "cn-shanghai", healthy, goodKey),
            Cluster("c-dev0hz", "dev-sandbox", "cn-hangzhou", [], status: FindingStatus.NotApplicable, reason: "ACK Basic cannot use Secret encryption (ack.standard)"),
            Cluster("c-unk0sh", "analytics", "cn-shanghai",
                [new Finding { RuleId = RuleCatalog.KeyMissing, Status = FindingStatus.Unknown, Severity = Severity.Critical, Message = "DescribeKey was denied", ErrorCode = "Forbidden.KeyNotFound", RequestId = "6C1D7E2A-0000-4B5C-9D8E-7F6A5B4C3D2E", KmsKeyId = "key-shh0unreadable000" }],
                "key-shh0unreadable000", reason: "The key could not be read"),
            Cluster("c-waived0hz", "batch-jobs", "cn-hangzhou",
                [Fail(RuleCatalog.KeyNotAllowed, "Key is not on the allow-list", goodKey) with
                    { Status = FindingStatus.Waived, Waiver = new WaiverInfo("Migration to the shared key in Q1", "secops@example.com", Start.AddDays(40), false) }], goodKey),
        };
        clusters.Add(hostile
            ? Cluster("c-hostile0hz", HostileName, "cn-hangzhou", [Fail(RuleCatalog.EncryptionEnabled, "Name says " + HostileAttributeName)], encrypted: false)
            : Cluster("c-queue0sh", "message-queue", "cn-shanghai", healthy, goodKey));
        return Report(clusters, sweepId, at, errors:
        [
            new ReportError { Scope = "key", RegionId = "cn-shanghai", KmsKeyId = "key-shh0unreadable000", Code = "Forbidden.KeyNotFound", Message = "DescribeKey was denied", RequestId = "6C1D7E2A-0000-4B5C-9D8E-7F6A5B4C3D2E" },
        ]);
    }
}
