using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Rules;
using Microsoft.Extensions.Time.Testing;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Judging;

/// <summary>The change decision as a table: cluster, key evidence, policy and request in; outcome and violations out.</summary>
public sealed class ChangeDeciderTests
{
    private const string Region = "cn-hangzhou";

    private static readonly ChangeDecider Decider = new(new FakeTimeProvider(Now), TimeSpan.FromMinutes(5));

    private const string Lenient = "version: 1\nencryption:\n  required: { none: true }\n  neverDisable:\n    tags: { env: prod }\n";

    private const string Required = "version: 1\nencryption:\n  neverDisable:\n    tags: { env: prod }\n";

    private const string Waived = Required + "waivers:\n  - rule: ACKFC-ENC-001\n    selector:\n      clusterIds: [\"c-a-0000001\"]\n    reason: migration\n    owner: platform@example.com\n    expires: 2027-06-30\n";

    private static readonly KeyEvidence Healthy = KeyEvidence.Read(Key("key-new", Region), false);

    public static TheoryData<string, string, bool, bool, bool, KeyEvidence?, int, ChangeOutcome?, Enforcement, string> Cases() => new()
    {
        // name, policy, disable, dry run, cluster is prod, evidence, minutes since the cluster changed, outcome (null: write), enforcement, violated rules
        { "enable with a healthy key", Lenient, false, false, false, Healthy, 60 * 24, null, Enforcement.Enforce, "" },
        { "dry run", Lenient, false, true, false, Healthy, 60 * 24, ChangeOutcome.DryRun, Enforcement.Enforce, "" },
        { "inside the cool-down", Lenient, false, false, false, Healthy, 2, ChangeOutcome.Conflict, Enforcement.Enforce, "" },
        { "disabled key", Lenient, false, false, false, KeyEvidence.Read(Key("key-new", Region, "Disabled"), false), 60, ChangeOutcome.Denied, Enforcement.Enforce, RuleCatalog.KeyDisabled },
        { "disabled key, rule on warn", Lenient + "enforcement:\n  rules:\n    ACKFC-KEY-002: warn\n", false, false, false, KeyEvidence.Read(Key("key-new", Region, "Disabled"), false), 60, null, Enforcement.Warn, RuleCatalog.KeyDisabled },
        { "no rotation, rule on dryrun", Lenient + "enforcement:\n  rules:\n    ACKFC-KEY-010: dryrun\n", false, false, false, KeyEvidence.Read(Key("key-new", Region, rotation: "Disabled"), false), 60, ChangeOutcome.DryRun, Enforcement.DryRun, RuleCatalog.Rotation },
        { "service key", Lenient, false, false, false, KeyEvidence.Read(Key("key-new", Region), true), 60, ChangeOutcome.Denied, Enforcement.Enforce, RuleCatalog.ServiceKey },
        { "key not found", Lenient, false, false, false, KeyEvidence.Failed(new AlibabaCloudException(AlibabaCloudErrorKind.NotFound, "Forbidden.KeyNotFound", "no such key")), 60, ChangeOutcome.Denied, Enforcement.Enforce, RuleCatalog.KeyMissing },
        { "disable a prod cluster", Lenient, true, false, true, null, 60, ChangeOutcome.Denied, Enforcement.Enforce, RuleCatalog.NeverDisable },
        { "disable where the policy requires encryption", Required, true, false, false, null, 60, ChangeOutcome.Denied, Enforcement.Enforce, RuleCatalog.EncryptionEnabled },
        { "disable where required, under a live waiver", Waived, true, false, false, null, 60, null, Enforcement.Enforce, "" },
        { "disable where nothing forbids it", Lenient, true, false, false, null, 60, null, Enforcement.Enforce, "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_OutcomeAndViolations(
        string name, string policy, bool disable, bool dryRun, bool prod, KeyEvidence? evidence, int minutesSinceChange,
        ChangeOutcome? expected, Enforcement enforcement, string violated)
    {
        var cluster = Cluster("c-a-0000001", Region, disable ? "key-old" : null,
            tags: prod ? new Dictionary<string, string> { ["env"] = "prod" } : null, updated: Now.AddMinutes(-minutesSinceChange));
        var request = new EncryptionChangeRequest("c-a-0000001", disable ? null : "key-new", disable, dryRun, null, "test", "req-1");

        var verdict = Decider.Decide(cluster, evidence, PolicyOf(policy), request);

        Assert.True(expected == verdict.Outcome, $"{name}: expected {expected?.ToString() ?? "write"}, got {verdict.Outcome?.ToString() ?? "write"} ({verdict.Message})");
        Assert.Equal(expected is null, verdict.Proceed);
        Assert.Equal(enforcement, verdict.Decision!.Enforcement);
        Assert.Equal(violated, string.Join(",", verdict.Decision.Violations.Select(v => v.RuleId)));
        Assert.Equal(expected != ChangeOutcome.Denied, verdict.Decision.Allowed);
        Assert.Equal(new ChangePlan("UpdateKMSEncryption", "c-a-0000001", Region, disable ? null : "key-new", disable), verdict.Plan);
    }

    [Theory]
    [InlineData(false, "key-new", "key-new", true)]    // already encrypted with the asked key
    [InlineData(false, "key-old", "key-new", false)]   // encrypted with another key
    [InlineData(true, null, null, true)]               // already off
    [InlineData(true, "key-old", null, false)]         // on, asked off
    public void Decide_DesiredStateReached_IsNoChange(bool disable, string? current, string? asked, bool noChange)
    {
        var cluster = Cluster("c-a-0000001", Region, current);
        var request = new EncryptionChangeRequest("c-a-0000001", asked, disable, false, null, "test", "req-1");

        var verdict = Decider.Decide(cluster, disable ? null : Healthy, PolicyOf(Lenient), request);

        Assert.Equal(noChange, verdict.Outcome == ChangeOutcome.NoChange);
        Assert.Equal(noChange, ChangeDecider.Reached(cluster, disable, verdict.KeyId));
    }

    [Theory]
    [InlineData("ack.pro.small", "running", null, null)]
    [InlineData("ack.standard", "running", ChangeOutcome.Invalid, null)]
    [InlineData("ack.pro.small", "updating", ChangeOutcome.Conflict, "ErrorClusterState")]
    public void Preflight_RefusesClustersThatCannotTakeAChange(string spec, string state, ChangeOutcome? expected, string? code)
    {
        var verdict = ChangeDecider.Preflight(Cluster("c-a-0000001", Region, null, spec, state));

        Assert.Equal(expected, verdict?.Outcome);
        Assert.Equal(code, verdict?.ErrorCode);
    }

    [Theory]
    [InlineData(false, null, true)]
    [InlineData(false, " ", true)]
    [InlineData(false, "key-new", false)]
    [InlineData(true, null, false)]
    public void Validate_EnableNeedsAKey(bool disable, string? key, bool invalid)
    {
        var problem = ChangeDecider.Validate(new EncryptionChangeRequest("c-a-0000001", key, disable, false, null, "test", "req-1"));

        Assert.Equal(invalid, problem is not null);
    }
}
