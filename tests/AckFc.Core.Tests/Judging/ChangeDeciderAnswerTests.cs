using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Rules;
using Microsoft.Extensions.Time.Testing;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Judging;

/// <summary>What the decider tells the caller: the cool-down's edge, why a change was refused, the key it resolved.</summary>
public sealed class ChangeDeciderAnswerTests
{
    private const string Region = "cn-hangzhou";
    private const string Lenient = "version: 1\nencryption:\n  required: { none: true }\n  neverDisable:\n    tags: { env: prod }\n";
    private static readonly ChangeDecider Decider = new(new FakeTimeProvider(Now), TimeSpan.FromMinutes(5));
    private static readonly KeyEvidence Healthy = KeyEvidence.Read(Key("key-new", Region), false);

    private static EncryptionChangeRequest Enable(string key = "key-new", bool dryRun = false) => new("c-a-0000001", key, false, dryRun, null, "test", "req-1");

    private static EncryptionChangeRequest Disable() => new("c-a-0000001", null, true, false, null, "test", "req-1");

    [Theory]
    [InlineData(5 * 60, null)]                        // exactly the cool-down ago: may change
    [InlineData(5 * 60 - 1, ChangeOutcome.Conflict)]  // a second short
    [InlineData(0, ChangeOutcome.Conflict)]
    public void CoolDown_RefusesOnlyWithinIt(int secondsSinceChange, ChangeOutcome? expected)
    {
        var cluster = Cluster("c-a-0000001", Region, null, updated: Now.AddSeconds(-secondsSinceChange));

        var verdict = Decider.Decide(cluster, Healthy, PolicyOf(Lenient), Enable());

        Assert.Equal(expected, verdict.Outcome);
        if (expected is not null)
        {
            Assert.Equal("CoolDown", verdict.ErrorCode);
            Assert.Contains("within 5 minutes", verdict.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CoolDown_ClusterWithoutAChangeTime_MayChange()
    {
        var cluster = Cluster("c-a-0000001", Region, null) with { Updated = null };

        Assert.True(Decider.Decide(cluster, Healthy, PolicyOf(Lenient), Enable()).Proceed);
    }

    [Fact]
    public void Denied_MessageNamesEveryBlockingRuleAndWhy()
    {
        var key = KeyEvidence.Read(Key("key-new", Region, KmsKeyStates.Disabled, protection: false), false);

        var verdict = Decider.Decide(Cluster("c-a-0000001", Region, null), key, PolicyOf(Lenient), Enable());

        Assert.Equal(ChangeOutcome.Denied, verdict.Outcome);
        Assert.StartsWith("Denied by policy: [ACKFC-KEY-002] Key key-new is disabled", verdict.Message, StringComparison.Ordinal);
        Assert.Contains($"[{RuleCatalog.DeletionProtection}] Key key-new has no deletion protection", verdict.Message, StringComparison.Ordinal);
        Assert.All(verdict.Decision!.Violations, v => Assert.Equal("key-new", v.Details!["kmsKeyId"]));
    }

    [Fact]
    public void PendingDeletionKey_ViolationCarriesTheDaysLeft()
    {
        var key = KeyEvidence.Read(Key("key-new", Region, KmsKeyStates.PendingDeletion, deleteDate: Now.AddDays(6)), false);

        var verdict = Decider.Decide(Cluster("c-a-0000001", Region, null), key, PolicyOf(Lenient), Enable());

        var violation = Assert.Single(verdict.Decision!.Violations, v => v.RuleId == RuleCatalog.KeyPendingDeletion);
        Assert.Equal("6", violation.Details!["daysUntilDeletion"]);
        Assert.Equal(ChangeOutcome.Denied, verdict.Outcome);
    }

    [Fact]
    public void UnknownKeyFact_IsAViolationToo()
    {
        var key = KeyEvidence.Read(Key("key-new", Region), null);

        var verdict = Decider.Decide(Cluster("c-a-0000001", Region, null), key, PolicyOf(Lenient), Enable());

        Assert.Equal(ChangeOutcome.Denied, verdict.Outcome);
        Assert.Equal(RuleCatalog.ServiceKey, Assert.Single(verdict.Decision!.Violations).RuleId);
    }

    [Fact]
    public void NeverDisable_ViolationNamesTheCluster()
    {
        var cluster = Cluster("c-a-0000001", Region, "key-old", tags: new() { ["env"] = "prod" });

        var verdict = Decider.Decide(cluster, null, PolicyOf(Lenient), Disable());

        var violation = Assert.Single(verdict.Decision!.Violations);
        Assert.Equal("c-a-0000001", violation.Details!["clusterId"]);
        Assert.Contains("c-a-0000001", violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rule: ACKFC-ENC-001\n    selector: { clusterIds: [\"c-a-0000001\"] }\n    reason: r\n    owner: o\n    expires: 2027-01-01", false)]
    [InlineData("rule: ACKFC-ENC-001\n    selector: { clusterIds: [\"c-a-0000001\"] }\n    reason: r\n    owner: o\n    expires: 2026-11-27", true)]
    [InlineData("rule: ACKFC-ENC-001\n    selector: { clusterIds: [\"c-other-0001\"] }\n    reason: r\n    owner: o\n    expires: 2027-01-01", true)]
    [InlineData("rule: ACKFC-KEY-010\n    selector: { clusterIds: [\"c-a-0000001\"] }\n    reason: r\n    owner: o\n    expires: 2027-01-01", true)]
    public void DisableWhereRequired_OnlyALiveWaiverOfEnc001ForThisClusterAllowsIt(string waiver, bool denied)
    {
        var policy = PolicyOf("version: 1\nencryption:\n  neverDisable: { none: true }\nwaivers:\n  - " + waiver + "\n");

        var verdict = Decider.Decide(Cluster("c-a-0000001", Region, "key-old"), null, policy, Disable());

        Assert.Equal(denied, verdict.Outcome == ChangeOutcome.Denied);
        if (denied)
        {
            Assert.Equal("c-a-0000001", Assert.Single(verdict.Decision!.Violations).Details!["clusterId"]);
        }
    }

    [Theory]
    [InlineData(false, "key-new", "Secrets are already encrypted with key-new; nothing was changed.")]
    [InlineData(true, null, "Secret encryption is already off; nothing was changed.")]
    public void NoChange_SaysWhatIsAlreadyTrue(bool disable, string? current, string message)
    {
        var verdict = Decider.Decide(Cluster("c-a-0000001", Region, current), disable ? null : Healthy, PolicyOf(Lenient), disable ? Disable() : Enable());

        Assert.Equal(ChangeOutcome.NoChange, verdict.Outcome);
        Assert.Equal(message, verdict.Message);
    }

    [Fact]
    public void DryRun_ByRequestOrByRule_SaysWhich()
    {
        var noRotation = KeyEvidence.Read(Key("key-new", Region, rotation: "Disabled"), false);
        var policy = PolicyOf(Lenient + "enforcement:\n  rules:\n    ACKFC-KEY-010: dryrun\n");

        var asked = Decider.Decide(Cluster("c-a-0000001", Region, null), Healthy, PolicyOf(Lenient), Enable(dryRun: true));
        var byRule = Decider.Decide(Cluster("c-a-0000001", Region, null), noRotation, policy, Enable());

        Assert.Equal("Dry run: the change is allowed and would call UpdateKMSEncryption; nothing was changed.", asked.Message);
        Assert.Equal("Rules in dryrun enforcement (ACKFC-KEY-010): the change is allowed and would call UpdateKMSEncryption; nothing was changed.", byRule.Message);
    }

    [Fact]
    public void Enforcement_TheStrictestViolatedRuleDecides()
    {
        var key = KeyEvidence.Read(Key("key-new", Region, protection: false, rotation: "Disabled"), false);
        var dryRunAndWarn = PolicyOf(Lenient + "enforcement:\n  rules:\n    ACKFC-KEY-010: dryrun\n    ACKFC-KEY-009: warn\n");
        var enforceAndDryRun = PolicyOf(Lenient + "enforcement:\n  rules:\n    ACKFC-KEY-010: dryrun\n");

        var first = Decider.Decide(Cluster("c-a-0000001", Region, null), key, dryRunAndWarn, Enable());
        var second = Decider.Decide(Cluster("c-a-0000001", Region, null), key, enforceAndDryRun, Enable());

        Assert.Equal((ChangeOutcome.DryRun, Enforcement.DryRun, true), (first.Outcome!.Value, first.Decision!.Enforcement, first.Decision.Allowed));
        Assert.Equal((ChangeOutcome.Denied, Enforcement.Enforce, false), (second.Outcome!.Value, second.Decision!.Enforcement, second.Decision.Allowed));
        Assert.Equal("req-1", first.Decision.RequestId);
    }

    [Fact]
    public void KeyNamedByAlias_ThePlanUsesTheResolvedKeyId()
    {
        var resolved = KeyEvidence.Read(Key("key-real", Region), false);
        var missing = KeyEvidence.Failed(new AlibabaCloudException(AlibabaCloudErrorKind.NotFound, "Forbidden.AliasNotFound", "no"));

        var found = Decider.Decide(Cluster("c-a-0000001", Region, null), resolved, PolicyOf(Lenient), Enable("alias/prod"));
        var notFound = Decider.Decide(Cluster("c-a-0000001", Region, null), missing, PolicyOf(Lenient), Enable("alias/prod"));

        Assert.Equal("key-real", found.KeyId);
        Assert.Equal("key-real", found.Plan!.KmsKeyId);
        Assert.Equal("alias/prod", notFound.KeyId);
    }

    [Theory]
    [InlineData("ack.standard", "running", ChangeOutcome.Invalid, "Cluster c-a-0000001 is ack.standard: only ACK Pro clusters")]
    [InlineData("ack.pro.small", "updating", ChangeOutcome.Conflict, "Cluster c-a-0000001 is updating; changes wait until it is running.")]
    public void Preflight_SaysWhyTheClusterCannotTakeAChange(string spec, string state, ChangeOutcome outcome, string message)
    {
        var verdict = ChangeDecider.Preflight(Cluster("c-a-0000001", Region, null, spec, state))!;

        Assert.Equal(outcome, verdict.Outcome);
        Assert.StartsWith(message, verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NamesTheMissingField()
    {
        Assert.Equal("kms_key_id is required unless disable_encryption is true.",
            ChangeDecider.Validate(new EncryptionChangeRequest("c-a-0000001", "", false, false, null, "test", "req-1")));
    }
}
