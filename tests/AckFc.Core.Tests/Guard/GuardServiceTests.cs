using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Encryption;
using AckFc.Core.Guard;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;
using AckFc.Core.Settings;
using AckFc.Core.Tests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static AckFc.Core.Tests.Guard.GuardEvents;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Guard;

public sealed class GuardServiceTests
{
    private const string EnableKeyOn = "version: 1\nguard:\n  actions: { enableKey: true, cancelKeyDeletion: true, reEnableEncryption: true }\n";

    private readonly IAckClient ack = Substitute.For<IAckClient>();
    private readonly IKmsClient kms = Substitute.For<IKmsClient>();
    private readonly IEncryptionService encryption = Substitute.For<IEncryptionService>();
    private readonly RecordingAuditSink audit = new();
    private readonly FakeTimeProvider time = new(Now);
    private readonly ConcurrentDictionary<string, KmsKeyMetadata> keys = new(StringComparer.Ordinal);
    private readonly GuardInvocation invocation = new("fc-req-1", "STS.NUguardOwnKey");

    public GuardServiceTests()
    {
        kms.DescribeKeyAsync(default!, default!, default).ReturnsForAnyArgs(call =>
            keys.TryGetValue(call.ArgAt<string>(1), out var key)
                ? Task.FromResult(key)
                : Task.FromException<KmsKeyMetadata>(new AlibabaCloudException(AlibabaCloudErrorKind.NotFound, "Forbidden.KeyNotFound", "no such key", 404, "R-nf")));
        kms.EnableKeyAsync(default!, default!, default).ReturnsForAnyArgs(call =>
        {
            var id = call.ArgAt<string>(1);
            keys[id] = keys[id] with { KeyState = KmsKeyStates.Enabled };
            return Task.FromResult<string?>("R-enable");
        });
        kms.CancelKeyDeletionAsync(default!, default!, default).ReturnsForAnyArgs(call =>
        {
            var id = call.ArgAt<string>(1);
            keys[id] = keys[id] with { KeyState = KmsKeyStates.Enabled, DeleteDate = null };
            return Task.FromResult<string?>("R-cancel");
        });
    }

    private GuardService Service(string policy = "version: 1\n", GuardState? state = null, IReportStore? store = null, Notifier? notifier = null) =>
        new(ack, kms, new StaticPolicyProvider(PolicyOf(policy)), encryption, audit,
            new AckFcCoreOptions { Regions = [Region, "cn-shanghai"] }, state ?? new GuardState(), time, NullLogger<GuardService>.Instance, notifier, store);

    private List<AckCluster> Fleet(int clusters, string key = "key-1", string state = KmsKeyStates.Disabled, DateTimeOffset? deleteDate = null)
    {
        var fleet = Enumerable.Range(0, clusters).Select(i => Cluster($"c-{i:0000}", Region, key)).ToList();
        // Clusters of other keys and without encryption share the pages.
        fleet.Add(Cluster("c-other", Region, "key-other"));
        fleet.Add(Cluster("c-plain", Region, null));
        ack.ListClustersAsync(Region, Arg.Any<CancellationToken>()).Returns(_ => Stream(fleet));
        keys[key] = Key(key, Region, state, deleteDate: deleteDate);
        return fleet;
    }

    private static byte[] DisableKey(string id = "ev-1", string key = "key-1", JsonObject? identity = null) =>
        Bytes(Kms("DisableKey", new JsonObject { ["KeyId"] = key }, id: id, identity: identity));

    private int Calls(string method) => kms.ReceivedCalls().Concat(ack.ReceivedCalls()).Count(c => c.GetMethodInfo().Name == method);

    [Fact]
    public async Task DisableKey_ThreeClusters_AlertsListsAllAndEnablesTheKeyOnce()
    {
        Fleet(3);

        var answer = Assert.Single((await Service(EnableKeyOn).HandleAsync(DisableKey(), invocation)).Events);

        Assert.Equal((GuardDecision.Alerted, Severity.Critical, RuleCatalog.KeyDisabled, "key-1"), (answer.Decision, answer.Severity, answer.RuleId, answer.KmsKeyId));
        Assert.Equal(["c-0000", "c-0001", "c-0002"], answer.Clusters.Select(c => c.ClusterId));
        var action = Assert.Single(answer.Actions);
        Assert.Equal((RemediationKind.EnableKey, RemediationStatus.Applied, "R-enable"), (action.Kind, action.Status, action.RequestId));
        await kms.Received(1).EnableKeyAsync(Region, "key-1", Arg.Any<CancellationToken>());
        var record = Assert.Single(audit.Records);
        Assert.Equal((GuardService.Actor, "EnableKey", "alerted"), (record.Actor, record.Action, record.Outcome));
        Assert.DoesNotContain(UserAccessKeyId, record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameEventThreeTimes_OneActionThenDuplicates()
    {
        Fleet(3);
        var service = Service(EnableKeyOn);

        var answers = new List<GuardEventAnswer>();
        for (var i = 0; i < 3; i++)
        {
            answers.AddRange((await service.HandleAsync(DisableKey(), invocation)).Events);
        }

        Assert.Equal([GuardDecision.Alerted, GuardDecision.Duplicate, GuardDecision.Duplicate], answers.Select(a => a.Decision));
        await kms.Received(1).EnableKeyAsync(Region, "key-1", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task ConcurrentEventsAboutOneKey_ActOnce()
    {
        Fleet(3);
        var service = Service(EnableKeyOn);
        // A slow DescribeKey: without the key lock every event would read "Disabled" before any of them acted.
        kms.DescribeKeyAsync(Region, "key-1", Arg.Any<CancellationToken>()).Returns(async _ =>
        {
            var asRead = keys["key-1"];
            await Task.Delay(50);
            return asRead;
        });

        // Different event ids (a replay, the console and the API), all at once: the second reads what the first left.
        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => Task.Run(() => service.HandleAsync(DisableKey(id: $"ev-{i}"), invocation))));

        await kms.Received(1).EnableKeyAsync(Region, "key-1", Arg.Any<CancellationToken>());
        Assert.Single(answers.SelectMany(a => a.Events), e => e.Decision == GuardDecision.Alerted);
        Assert.Equal(4, answers.SelectMany(a => a.Events).Count(e => e.Decision == GuardDecision.Healthy));
    }

    [Fact]
    public async Task SameEventInTwoInstances_TheStoreMarkerMakesTheSecondADuplicate()
    {
        Fleet(3);
        var store = new MarkerStore();

        var first = Assert.Single((await Service(EnableKeyOn, new GuardState(), store).HandleAsync(DisableKey(), invocation)).Events);
        keys["key-1"] = keys["key-1"] with { KeyState = KmsKeyStates.Disabled };
        var second = Assert.Single((await Service(EnableKeyOn, new GuardState(), store).HandleAsync(DisableKey(), invocation)).Events);

        Assert.Equal((GuardDecision.Alerted, GuardDecision.Duplicate), (first.Decision, second.Decision));
        await kms.Received(1).EnableKeyAsync(Region, "key-1", Arg.Any<CancellationToken>());
        var marker = Assert.Single(store.Of("guard-20261128"), m => m.StartsWith("event.", StringComparison.Ordinal));
        Assert.Equal(6 + 32, marker.Length);
    }

    [Fact]
    public async Task TwoInstancesRacingOnOneEvent_TheClaimMarkerLetsOneAct()
    {
        Fleet(3);
        var store = new MarkerStore();
        // The other instance got as far as its claim.
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("acs.kms|ev-1")))[..32];
        var claim = "claim." + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{hash}|EnableKey|key-1")))[..32];
        await store.TryCreateMarkerAsync("guard-20261128", claim);

        var answer = Assert.Single((await Service(EnableKeyOn, store: store).HandleAsync(DisableKey(), invocation)).Events);

        Assert.Equal(RemediationStatus.Skipped, Assert.Single(answer.Actions).Status);
        await kms.DidNotReceiveWithAnyArgs().EnableKeyAsync(default!, default!, default);
    }

    [Fact]
    public async Task FailedRead_AnswersFailedAndTheRetryIsHandled()
    {
        Fleet(3);
        var store = new MarkerStore();
        var service = Service(EnableKeyOn, store: store);
        kms.DescribeKeyAsync(Region, "key-1", Arg.Any<CancellationToken>())
            .Returns(Task.FromException<KmsKeyMetadata>(new AlibabaCloudException(AlibabaCloudErrorKind.Throttling, "Throttling.User", "slow down", 429, "R-t")), Task.FromResult(keys["key-1"]));

        var failed = Assert.Single((await service.HandleAsync(DisableKey(), invocation)).Events);
        var retried = Assert.Single((await service.HandleAsync(DisableKey(), invocation)).Events);

        Assert.Equal(GuardDecision.Failed, failed.Decision);
        Assert.Contains("Throttling.User", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(GuardDecision.Alerted, retried.Decision);
        await kms.Received(1).EnableKeyAsync(Region, "key-1", Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("ackfc-guard")]
    [InlineData("ackfc-compliance")]
    public async Task OwnRoleEvent_NoReadNoAction(string role)
    {
        Fleet(3);

        var answer = Assert.Single((await Service(EnableKeyOn).HandleAsync(DisableKey(identity: Role(role)), invocation)).Events);

        Assert.Equal(GuardDecision.Own, answer.Decision);
        Assert.Contains(role, answer.Reason, StringComparison.Ordinal);
        Assert.Empty(kms.ReceivedCalls());
        Assert.Empty(ack.ReceivedCalls());
        Assert.Equal(0, answer.CloudCalls);
    }

    [Fact]
    public async Task OwnAccessKeyEvent_NoAction()
    {
        Fleet(3);

        var answer = Assert.Single((await Service(EnableKeyOn).HandleAsync(DisableKey(identity: Role("some-other-role", accessKeyId: invocation.OwnAccessKeyId!)), invocation)).Events);

        Assert.Equal(GuardDecision.Own, answer.Decision);
        Assert.DoesNotContain(invocation.OwnAccessKeyId!, answer.Reason, StringComparison.Ordinal);
        await kms.DidNotReceiveWithAnyArgs().EnableKeyAsync(default!, default!, default);
    }

    [Fact]
    public async Task OtherRoleWithASimilarName_NotOwn()
    {
        Fleet(3);

        var answer = Assert.Single((await Service().HandleAsync(DisableKey(identity: Role("ackfc-guard-impostor")), invocation)).Events);

        Assert.Equal(GuardDecision.Alerted, answer.Decision);
    }

    [Fact]
    public async Task ErrorCode_IgnoredWithoutAnyCall()
    {
        Fleet(3);
        var body = Bytes(Kms("DisableKey", new JsonObject { ["KeyId"] = "key-1" }, errorCode: "Forbidden.NoPermission"));

        var answer = Assert.Single((await Service(EnableKeyOn).HandleAsync(body, invocation)).Events);

        Assert.Equal(GuardDecision.Ignored, answer.Decision);
        Assert.Contains("Forbidden.NoPermission", answer.Reason, StringComparison.Ordinal);
        Assert.Empty(kms.ReceivedCalls());
        Assert.Empty(ack.ReceivedCalls());
    }

    [Fact]
    public async Task KeyHealthyAgain_HealthyNoActionNoAudit()
    {
        Fleet(3, state: KmsKeyStates.Enabled);

        var answer = Assert.Single((await Service(EnableKeyOn).HandleAsync(DisableKey(), invocation)).Events);

        Assert.Equal(GuardDecision.Healthy, answer.Decision);
        Assert.Empty(answer.Actions);
        Assert.Empty(audit.Records);
        await kms.DidNotReceiveWithAnyArgs().EnableKeyAsync(default!, default!, default);
    }

    [Fact]
    public async Task KeyUsedByNoCluster_HealthyWithoutDescribeKeyOrAudit()
    {
        Fleet(3);
        keys["key-unused"] = Key("key-unused", Region, KmsKeyStates.Disabled);

        var answer = Assert.Single((await Service(EnableKeyOn).HandleAsync(DisableKey(key: "key-unused"), invocation)).Events);

        Assert.Equal(GuardDecision.Healthy, answer.Decision);
        Assert.Empty(answer.Clusters);
        Assert.Equal(0, Calls(nameof(IKmsClient.DescribeKeyAsync)));
        Assert.Empty(audit.Records);
    }

    [Fact]
    public async Task ThousandClusters_AtMostPagesPlusTwoCloudCalls()
    {
        Fleet(998);

        var answer = Assert.Single((await Service(EnableKeyOn).HandleAsync(DisableKey(), invocation)).Events);

        // 1,000 clusters listed: 10 pages, one DescribeKey, one EnableKey; the service-key listing is never read.
        Assert.Equal(998, answer.Clusters.Count);
        Assert.Equal(12, answer.CloudCalls);
        Assert.Equal(1, Calls(nameof(IAckClient.ListClustersAsync)));
        Assert.Equal(1, Calls(nameof(IKmsClient.DescribeKeyAsync)));
        Assert.Equal(1, Calls(nameof(IKmsClient.EnableKeyAsync)));
        Assert.Equal(0, Calls(nameof(IKmsClient.ListKeysAsync)) + Calls(nameof(IKmsClient.ListAliasesAsync)));
    }

    [Fact]
    public async Task ScheduleKeyDeletion_DaysLeftInTheReasonAndOneCancel()
    {
        Fleet(2, state: KmsKeyStates.PendingDeletion, deleteDate: Now.AddDays(7).AddHours(2));
        var body = Bytes(Kms("ScheduleKeyDeletion", new JsonObject { ["KeyId"] = "key-1", ["PendingWindowInDays"] = "7" }));

        var answer = Assert.Single((await Service(EnableKeyOn).HandleAsync(body, invocation)).Events);

        Assert.Equal((GuardDecision.Alerted, RuleCatalog.KeyPendingDeletion), (answer.Decision, answer.RuleId));
        Assert.Contains("deleted in 7 days", answer.Reason, StringComparison.Ordinal);
        Assert.Equal(RemediationKind.CancelKeyDeletion, Assert.Single(answer.Actions, a => a.Status == RemediationStatus.Applied).Kind);
        await kms.Received(1).CancelKeyDeletionAsync(Region, "key-1", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task EnableKey_ClustersHealthy_Resolved()
    {
        Fleet(2, state: KmsKeyStates.Enabled);

        var answer = Assert.Single((await Service().HandleAsync(Bytes(Kms("EnableKey", new JsonObject { ["KeyId"] = "key-1" })), invocation)).Events);

        Assert.Equal(GuardDecision.Resolved, answer.Decision);
        Assert.Single(audit.Records);
    }

    [Fact]
    public async Task BundledPolicy_AlertsAndChangesNothing()
    {
        Fleet(3);
        var service = new GuardService(ack, kms, new StaticPolicyProvider(PolicyLoader.LoadBundled()), encryption, audit,
            new AckFcCoreOptions { Regions = [Region] }, new GuardState(), time, NullLogger<GuardService>.Instance);

        var answer = Assert.Single((await service.HandleAsync(DisableKey(), invocation)).Events);

        Assert.Equal(GuardDecision.Alerted, answer.Decision);
        Assert.Empty(answer.Actions);
        Assert.DoesNotContain(kms.ReceivedCalls(), c => c.GetMethodInfo().Name is nameof(IKmsClient.EnableKeyAsync) or nameof(IKmsClient.CancelKeyDeletionAsync) or nameof(IKmsClient.SetDeletionProtectionAsync));
    }

    [Fact]
    public async Task HourlyCap_SecondKeyPlannedNotApplied()
    {
        Fleet(1);
        keys["key-2"] = Key("key-2", Region, KmsKeyStates.Disabled);
        var fleet = new List<AckCluster> { Cluster("c-a", Region, "key-1"), Cluster("c-b", Region, "key-2") };
        ack.ListClustersAsync(Region, Arg.Any<CancellationToken>()).Returns(_ => Stream(fleet));
        var service = Service(EnableKeyOn + "  maxActionsPerHour: 1\n");

        var first = Assert.Single((await service.HandleAsync(DisableKey(id: "a"), invocation)).Events);
        var second = Assert.Single((await service.HandleAsync(DisableKey(id: "b", key: "key-2"), invocation)).Events);

        Assert.Equal(RemediationStatus.Applied, Assert.Single(first.Actions).Status);
        var capped = Assert.Single(second.Actions);
        Assert.Equal(RemediationStatus.Planned, capped.Status);
        Assert.Contains("cap of 1", capped.Reason, StringComparison.Ordinal);
        await kms.DidNotReceive().EnableKeyAsync(Region, "key-2", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task DriftOnANeverDisableCluster_CriticalPol001()
    {
        ack.ListClustersAsync(Region, Arg.Any<CancellationToken>()).Returns(_ => Stream([Cluster("c-prod", Region, null), Cluster("c-x", Region, "key-1")]));
        var body = Bytes(Cs("UpdateKMSEncryption", new JsonObject { ["ClusterId"] = "c-prod", ["disable_encryption"] = true }));

        var answer = Assert.Single((await Service().HandleAsync(body, invocation)).Events);

        Assert.Equal((GuardDecision.Alerted, Severity.Critical, RuleCatalog.NeverDisable), (answer.Decision, answer.Severity, answer.RuleId));
        Assert.Equal("c-prod", Assert.Single(answer.Clusters).ClusterId);
        await encryption.DidNotReceiveWithAnyArgs().ChangeAsync(default!, default);
    }

    [Fact]
    public async Task DriftReEnableRefusedByTheCoolDown_FailedSoFunctionComputeRetries()
    {
        var cluster = Cluster("c-prod", Region, null) with { Encryption = new ClusterEncryption(EncryptionState.Disabled, "key-1") };
        ack.ListClustersAsync(Region, Arg.Any<CancellationToken>()).Returns(_ => Stream([cluster]));
        encryption.ChangeAsync(Arg.Any<EncryptionChangeRequest>(), Arg.Any<CancellationToken>()).Returns(new EncryptionChangeResult
        {
            Outcome = ChangeOutcome.Conflict, ErrorCode = "CoolDown", Message = "ACK refuses another change within 5 minutes.",
            Decision = new Decision { Allowed = true, Enforcement = Enforcement.Enforce, Violations = [], PolicyVersion = "v", RequestId = "r" },
        });
        var body = Bytes(Cs("UpdateKMSEncryption", new JsonObject { ["ClusterId"] = "c-prod", ["disable_encryption"] = true }, id: "drift-1"));

        var answer = Assert.Single((await Service(EnableKeyOn).HandleAsync(body, invocation)).Events);

        Assert.Equal(GuardDecision.Failed, answer.Decision);
        Assert.Contains("cool-down", answer.Reason, StringComparison.Ordinal);
        await encryption.Received(1).ChangeAsync(
            Arg.Is<EncryptionChangeRequest>(r => r.ClusterId == "c-prod" && r.KmsKeyId == "key-1" && !r.DisableEncryption && r.Actor == GuardService.Actor), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task DeleteAlias_ResolvedThroughTheLastKnownMap()
    {
        Fleet(2);
        var state = new GuardState();
        state.LearnAliases(Region, [("alias/prod", "key-1")]);
        var body = Bytes(Kms("DeleteAlias", new JsonObject { ["AliasName"] = "alias/prod" }));

        var answer = Assert.Single((await Service(state: state).HandleAsync(body, invocation)).Events);

        Assert.Equal("key-1", answer.KmsKeyId);
        Assert.Equal(2, answer.Clusters.Count);
        Assert.Equal(0, Calls(nameof(IKmsClient.ListAliasesAsync)));
    }

    [Fact]
    public async Task DeleteAlias_UnknownAlias_FreshListingThenHealthyWithAReason()
    {
        Fleet(2);
        kms.ListAliasesAsync(Region, Arg.Any<CancellationToken>()).Returns(_ => Stream<KmsAlias>([new("alias/other", "key-other", null)]));
        var body = Bytes(Kms("DeleteAlias", new JsonObject { ["AliasName"] = "alias/gone" }));

        var answer = Assert.Single((await Service().HandleAsync(body, invocation)).Events);

        Assert.Equal(GuardDecision.Healthy, answer.Decision);
        Assert.Contains("alias/gone", answer.Reason, StringComparison.Ordinal);
        Assert.Equal(1, Calls(nameof(IKmsClient.ListAliasesAsync)));
    }

    [Fact]
    public async Task ArrayBody_EachEventAnswered()
    {
        Fleet(1, state: KmsKeyStates.Enabled);
        var body = Bytes(new JsonArray(Kms("DisableKey", new JsonObject { ["KeyId"] = "key-1" }, id: "x1"), Kms("CreateKey", [], id: "x2")));

        var answer = await Service().HandleAsync(body, invocation);

        Assert.Equal([GuardDecision.Healthy, GuardDecision.Ignored], answer.Events.Select(e => e.Decision));
        Assert.False(answer.Failed);
    }

    [Fact]
    public async Task EachEvent_OneLogLineWithDecisionNameKeyClustersAndLatency()
    {
        Fleet(3);
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<GuardService>();
        var service = new GuardService(ack, kms, new StaticPolicyProvider(PolicyOf("version: 1\n")), encryption, audit,
            new AckFcCoreOptions { Regions = [Region] }, new GuardState(), time, logger);

        await service.HandleAsync(DisableKey(), invocation);

        var line = Assert.Single(logger.Collector.GetSnapshot()).Message;
        Assert.StartsWith("Guard alerted: DisableKey key key-1, 3 cluster(s), delivery latency 1250 ms, 2 cloud call(s)", line, StringComparison.Ordinal);
        Assert.DoesNotContain(UserAccessKeyId, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedBody_Throws()
    {
        await Assert.ThrowsAsync<GuardEventException>(() => Service().HandleAsync("{\"nope\":1}"u8.ToArray(), invocation));
    }
}
