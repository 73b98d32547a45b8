using AckFc.Core.Judging;
using AckFc.Core.Rules;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Judging;

/// <summary>What remediation plans, as a table: failed findings and the policy in, actions (kind, cluster, key) out, in order.</summary>
public sealed class RemediationPlannerTests
{
    private const string AllOn = "version: 1\nremediation:\n  enableEncryption:\n    enabled: true\n    defaultKeys:\n      cn-hangzhou: key-spare\n  cancelKeyDeletion: true\n  enableDeletionProtection: true\n  enableKey: true\n";

    private const string KeysOnly = "version: 1\nremediation:\n  cancelKeyDeletion: true\n";

    // A cluster is "region/cluster:rule@key|rule@key"; clusters are separated by spaces. "fail" findings unless the rule ends in "~" (waived).
    public static TheoryData<string, string, string> Cases() => new()
    {
        { "encryption off, a default key for the region", AllOn, "cn-hangzhou/c-1:ACKFC-ENC-001" },
        { "encryption off, no default key for the region", AllOn, "cn-shanghai/c-1:ACKFC-ENC-001" },
        { "a shared dying key is rescued once", AllOn, "cn-hangzhou/c-1:ACKFC-KEY-003@k-1 cn-hangzhou/c-2:ACKFC-KEY-003@k-1" },
        { "outage risks first", AllOn, "cn-hangzhou/c-1:ACKFC-KEY-009@k-1|ACKFC-ENC-001 cn-hangzhou/c-2:ACKFC-KEY-003@k-2|ACKFC-KEY-002@k-3" },
        { "only what the policy enables", KeysOnly, "cn-hangzhou/c-1:ACKFC-KEY-009@k-1|ACKFC-KEY-003@k-2|ACKFC-ENC-001" },
        { "waived findings are not repaired", AllOn, "cn-hangzhou/c-1:ACKFC-KEY-003~@k-1" },
        { "rules without a remediation", AllOn, "cn-hangzhou/c-1:ACKFC-KEY-010@k-1|ACKFC-KEY-005@k-1" },
        { "regions in order", AllOn, "cn-shanghai/c-9:ACKFC-KEY-002@k-9 cn-hangzhou/c-1:ACKFC-KEY-002@k-1" },
    };

    public static TheoryData<string, string> Expected() => new()
    {
        { "encryption off, a default key for the region", "EnableEncryption c-1 key-spare" },
        { "encryption off, no default key for the region", "" },
        { "a shared dying key is rescued once", "CancelKeyDeletion c-1 k-1" },
        { "outage risks first", "EnableKey c-2 k-3, CancelKeyDeletion c-2 k-2, EnableEncryption c-1 key-spare, EnableDeletionProtection c-1 k-1" },
        { "only what the policy enables", "CancelKeyDeletion c-1 k-2" },
        { "waived findings are not repaired", "" },
        { "rules without a remediation", "" },
        { "regions in order", "EnableKey c-1 k-1, EnableKey c-9 k-9" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_ActionsInOrder(string name, string policy, string fleet)
    {
        var expected = Expected().Single(row => (string)row[0] == name)[1];

        var plan = RemediationPlanner.Plan(PolicyOf(policy).Policy, Regions(fleet));

        Assert.Equal(expected, string.Join(", ", plan.Select(a => $"{a.Kind} {a.ClusterId} {a.KmsKeyId}")));
        Assert.All(plan, a => Assert.Equal(RemediationStatus.Planned, a.Status));
    }

    private static IEnumerable<RegionReports> Regions(string fleet) => fleet
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(Report)
        .GroupBy(r => r.RegionId)
        .Select(g => new RegionReports(g.Key, [.. g]));

    private static ClusterReport Report(string text)
    {
        var (where, findings) = (text[..text.IndexOf(':')], text[(text.IndexOf(':') + 1)..]);
        var (region, id) = (where[..where.IndexOf('/')], where[(where.IndexOf('/') + 1)..]);
        return new ClusterReport
        {
            ClusterId = id, Name = id, RegionId = region, Encryption = new EncryptionSummary(false, null), Status = FindingStatus.Fail,
            Findings = [.. findings.Split('|').Select(f =>
            {
                var parts = f.Split('@');
                var waived = parts[0].EndsWith('~');
                var rule = parts[0].TrimEnd('~');
                return new Finding
                {
                    RuleId = rule, Status = waived ? FindingStatus.Waived : FindingStatus.Fail, Severity = RuleCatalog.Get(rule).Severity,
                    Message = $"{rule} failed", KmsKeyId = parts.Length > 1 ? parts[1] : null,
                };
            })],
        };
    }
}
