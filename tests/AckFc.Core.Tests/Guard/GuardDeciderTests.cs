using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Guard;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Rules;
using Microsoft.Extensions.Time.Testing;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Guard;

/// <summary>The decider as a table: event kind × key state now × affected clusters × guard policy → decision, severity, rule, actions.</summary>
public sealed class GuardDeciderTests
{
    private const string R = "cn-hangzhou";

    private const string ActAll = """
        version: 1
        guard:
          actions: { enableKey: true, cancelKeyDeletion: true, enableDeletionProtection: true, reEnableEncryption: true }
        """;

    private static GuardVerdict Decide(GuardEventKind kind, KmsKeyMetadata? key, int clusters, string policy = "version: 1\n", AckCluster? only = null)
    {
        var loaded = PolicyOf(policy).Policy;
        var judge = new ClusterJudge(new FakeTimeProvider(Now));
        var evidence = key is null ? KeyEvidence.Failed(new AlibabaCloudException(AlibabaCloudErrorKind.NotFound, "Forbidden.KeyNotFound", "gone")) : KeyEvidence.Read(key, false);
        var list = only is not null
            ? [only]
            : Enumerable.Range(0, clusters).Select(i => Cluster($"c-{i}", R, "key-1")).ToList();
        var judged = list.Select(c => new GuardJudgedCluster(c, judge.Judge(c, c.Encryption.State == EncryptionState.Enabled ? evidence : null, loaded))).ToList();
        return GuardDecider.Decide(new GuardSituation(kind, R, only is null ? "key-1" : null, judged), loaded);
    }

    public static TheoryData<GuardEventKind, string, GuardDecision, Severity?, string?> KeyStates() => new()
    {
        // Event, key state now → decision, severity, rule.
        { GuardEventKind.DisableKey, KmsKeyStates.Disabled, GuardDecision.Alerted, Severity.Critical, RuleCatalog.KeyDisabled },
        { GuardEventKind.DisableKey, KmsKeyStates.Enabled, GuardDecision.Healthy, null, null },
        { GuardEventKind.DisableKey, KmsKeyStates.PendingDeletion, GuardDecision.Alerted, Severity.Critical, RuleCatalog.KeyPendingDeletion },
        { GuardEventKind.ScheduleKeyDeletion, KmsKeyStates.PendingDeletion, GuardDecision.Alerted, Severity.Critical, RuleCatalog.KeyPendingDeletion },
        { GuardEventKind.ScheduleKeyDeletion, KmsKeyStates.Enabled, GuardDecision.Healthy, null, null },
        { GuardEventKind.DeleteKeyMaterial, KmsKeyStates.PendingImport, GuardDecision.Alerted, Severity.Critical, RuleCatalog.KeyMaterial },
        { GuardEventKind.EnableKey, KmsKeyStates.Enabled, GuardDecision.Resolved, null, null },
        { GuardEventKind.EnableKey, KmsKeyStates.Disabled, GuardDecision.Alerted, Severity.Critical, RuleCatalog.KeyDisabled },
        { GuardEventKind.CancelKeyDeletion, KmsKeyStates.Enabled, GuardDecision.Resolved, null, null },
    };

    [Theory]
    [MemberData(nameof(KeyStates))]
    public void Decide_KeyStateReadNow_DecidesLevelTriggered(GuardEventKind kind, string state, GuardDecision decision, Severity? severity, string? rule)
    {
        var verdict = Decide(kind, Key("key-1", R, state, deleteDate: Now.AddDays(7).AddHours(1)), 3);

        Assert.Equal((decision, severity, rule), (verdict.Decision, verdict.Severity, verdict.RuleId));
        Assert.Equal(3, verdict.Clusters.Count);
        Assert.Empty(verdict.Actions);
    }

    [Fact]
    public void Decide_ScheduleKeyDeletion_ReasonHasTheDaysLeft()
    {
        var verdict = Decide(GuardEventKind.ScheduleKeyDeletion, Key("key-1", R, KmsKeyStates.PendingDeletion, deleteDate: Now.AddDays(7).AddHours(1)), 2);

        Assert.Contains("is deleted in 7 days", verdict.Reason, StringComparison.Ordinal);
        Assert.All(verdict.Clusters, c => Assert.Equal([RuleCatalog.KeyPendingDeletion], c.FailedRules));
    }

    [Fact]
    public void Decide_NoAffectedCluster_HealthyWithoutAnyAction()
    {
        var verdict = Decide(GuardEventKind.DisableKey, Key("key-1", R, KmsKeyStates.Disabled), 0, ActAll);

        Assert.Equal(GuardDecision.Healthy, verdict.Decision);
        Assert.Contains("used by no cluster", verdict.Reason, StringComparison.Ordinal);
        Assert.Empty(verdict.Actions);
    }

    [Theory]
    [InlineData(GuardEventKind.DisableKey, KmsKeyStates.Disabled, RemediationKind.EnableKey)]
    [InlineData(GuardEventKind.ScheduleKeyDeletion, KmsKeyStates.PendingDeletion, RemediationKind.CancelKeyDeletion)]
    public void Decide_ActionAllowedAndEnforced_OneActionToApply(GuardEventKind kind, string state, RemediationKind expected)
    {
        var verdict = Decide(kind, Key("key-1", R, state, deleteDate: Now.AddDays(3)), 3, ActAll);

        var action = Assert.Single(verdict.Actions);
        Assert.Equal((expected, "key-1", true, RemediationStatus.Planned), (action.Action.Kind, action.Action.KmsKeyId, action.Apply, action.Action.Status));
    }

    [Fact]
    public void Decide_BundledPolicy_AlertsButPlansNoAction()
    {
        var verdict = GuardDecider.Decide(Situation(GuardEventKind.DisableKey, KmsKeyStates.Disabled), PolicyLoader.LoadBundled().Policy);

        Assert.Equal(GuardDecision.Alerted, verdict.Decision);
        Assert.Empty(verdict.Actions);
        Assert.Contains("guard.actions.enableKey is off", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dryrun", true, false)]
    [InlineData("warn", false, false)]
    [InlineData("enforce", true, true)]
    public void Decide_GuardEnforcementOfTheRule_DecidesWhetherTheActionIsApplied(string enforcement, bool planned, bool apply)
    {
        var verdict = Decide(GuardEventKind.DisableKey, Key("key-1", R, KmsKeyStates.Disabled), 1,
            ActAll + $"\n  enforcement:\n    default: enforce\n    rules:\n      ACKFC-KEY-002: {enforcement}\n");

        Assert.Equal(planned, verdict.Actions.Count == 1);
        if (planned)
        {
            Assert.Equal(apply, verdict.Actions[0].Apply);
        }
    }

    [Fact]
    public void Decide_ReactionTurnedOff_Ignored()
    {
        var verdict = Decide(GuardEventKind.RotationOff, Key("key-1", R, rotation: KmsRotationStates.Disabled), 1, "version: 1\nguard:\n  reactions: { rotationOff: false }\n");

        Assert.Equal(GuardDecision.Ignored, verdict.Decision);
        Assert.Contains("rotationOff", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GuardEventKind.DeletionProtectionOff, RuleCatalog.DeletionProtection, Severity.Medium)]
    [InlineData(GuardEventKind.RotationOff, RuleCatalog.Rotation, Severity.Low)]
    public void Decide_HygieneEvents_TheirOwnRuleAndSeverity(GuardEventKind kind, string rule, Severity severity)
    {
        var verdict = Decide(kind, Key("key-1", R, protection: false, rotation: KmsRotationStates.Disabled), 2, ActAll);

        Assert.Equal((GuardDecision.Alerted, rule, severity), (verdict.Decision, verdict.RuleId, verdict.Severity));
        // Rotation has no protective action; deletion protection has one.
        Assert.Equal(kind == GuardEventKind.DeletionProtectionOff ? 1 : 0, verdict.Actions.Count);
    }

    [Fact]
    public void Decide_DisableKeyWhileProtectionIsOff_OnlyTheOutageRulesCount()
    {
        // Hygiene the event is not about stays out of a DisableKey answer.
        var verdict = Decide(GuardEventKind.DisableKey, Key("key-1", R, protection: false, rotation: KmsRotationStates.Disabled), 1);

        Assert.Equal(GuardDecision.Healthy, verdict.Decision);
    }

    [Fact]
    public void Decide_KeyGone_Key001Critical()
    {
        var verdict = Decide(GuardEventKind.DeleteKeyMaterial, null, 1);

        Assert.Equal((GuardDecision.Alerted, RuleCatalog.KeyMissing, Severity.Critical), (verdict.Decision, verdict.RuleId, verdict.Severity));
    }

    [Fact]
    public void Decide_DriftOffOnANeverDisableCluster_CriticalPol001AndReEnableWithTheClustersKey()
    {
        var cluster = Cluster("c-prod", R, null) with { Encryption = new ClusterEncryption(EncryptionState.Disabled, "key-old") };

        var verdict = Decide(GuardEventKind.EncryptionDrift, null, 0, ActAll, cluster);

        Assert.Equal((GuardDecision.Alerted, RuleCatalog.NeverDisable, Severity.Critical), (verdict.Decision, verdict.RuleId, verdict.Severity));
        var action = Assert.Single(verdict.Actions);
        Assert.Equal((RemediationKind.EnableEncryption, "c-prod", "key-old"), (action.Action.Kind, action.Action.ClusterId, action.Action.KmsKeyId));
    }

    [Fact]
    public void Decide_DriftOffWhereThePolicyAllowsIt_NoPol001()
    {
        var cluster = Cluster("c-dev", R, null, spec: "ack.pro.small");
        var policy = "version: 1\nencryption:\n  required: { none: true }\n  neverDisable: { none: true }\n";

        var verdict = Decide(GuardEventKind.EncryptionDrift, null, 0, policy, cluster);

        Assert.Equal(GuardDecision.Healthy, verdict.Decision);
    }

    [Fact]
    public void Decide_DriftOffWithNoKnownKey_AlertOnlyAndSaysWhy()
    {
        var verdict = Decide(GuardEventKind.EncryptionDrift, null, 0, ActAll, Cluster("c-prod", R, null));

        Assert.Empty(verdict.Actions);
        Assert.Contains("No key is known", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_DriftToAHealthyKey_Healthy()
    {
        var verdict = Decide(GuardEventKind.EncryptionDrift, Key("key-1", R), 0, "version: 1\n", Cluster("c-1", R, "key-1"));

        Assert.Equal(GuardDecision.Healthy, verdict.Decision);
    }

    private static GuardSituation Situation(GuardEventKind kind, string state)
    {
        var cluster = Cluster("c-1", R, "key-1");
        var report = new ClusterJudge(new FakeTimeProvider(Now)).Judge(cluster, KeyEvidence.Read(Key("key-1", R, state), false), PolicyLoader.LoadBundled().Policy);
        return new GuardSituation(kind, R, "key-1", [new GuardJudgedCluster(cluster, report)]);
    }
}
