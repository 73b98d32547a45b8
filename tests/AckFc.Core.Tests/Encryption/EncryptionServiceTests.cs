using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Compliance;
using AckFc.Core.Encryption;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Rules;
using AckFc.Core.Settings;
using AckFc.Core.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Encryption;

public sealed class EncryptionServiceTests
{
    private readonly IAckClient ack = Substitute.For<IAckClient>();
    private readonly IKmsClient kms = Substitute.For<IKmsClient>();
    private readonly RecordingAuditSink audit = new();
    private readonly FakeTimeProvider time = new(Now);
    private readonly ChangeLocks locks = new();

    private const string ProtectProd = """
        version: 1
        encryption:
          required: { none: true }
          neverDisable:
            tags: { env: prod }
        """;

    public EncryptionServiceTests()
    {
        ack.GetClusterAsync("cn-hangzhou", Arg.Any<string>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new AlibabaCloudException(AlibabaCloudErrorKind.NotFound, "ErrorClusterNotFound", "no", 404));
        kms.ListKeysAsync(default!, default!, default).ReturnsForAnyArgs(_ => Stream<KmsKeyReference>([new("key-service", null)]));
        kms.DescribeKeyAsync("cn-hangzhou", Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(c => Key(c.ArgAt<string>(1), "cn-hangzhou"));
        kms.DescribeKeyAsync("cn-hangzhou", "key-off", Arg.Any<CancellationToken>()).Returns(Key("key-off", "cn-hangzhou", "Disabled"));
    }

    private EncryptionService Service(string policy = "version: 1\n") => new(ack, kms, new StaticPolicyProvider(PolicyOf(policy)), audit, locks,
        new AckFcCoreOptions { Regions = ["cn-hangzhou"], ChangePollInterval = TimeSpan.FromSeconds(2), ChangeFollowTimeout = TimeSpan.FromSeconds(30) }, time);

    private void Has(AckCluster cluster) => ack.GetClusterAsync("cn-hangzhou", cluster.ClusterId, Arg.Any<CancellationToken>()).Returns(cluster);

    private static EncryptionChangeRequest Enable(string cluster, string key, bool dryRun = false) => new(cluster, key, false, dryRun, "test", "webhook:ci", "req-1");

    [Fact]
    public async Task ChangeAsync_DisableProtectedCluster_DeniedWithPol001AndNoCall()
    {
        Has(Cluster("c-prod-000001", "cn-hangzhou", "key-a", tags: new() { ["env"] = "prod" }));

        var result = await Service(ProtectProd).ChangeAsync(new("c-prod-000001", null, true, false, "cleanup", "webhook:ci", "req-1"));

        Assert.Equal(ChangeOutcome.Denied, result.Outcome);
        Assert.False(result.Decision.Allowed);
        Assert.Equal(RuleCatalog.NeverDisable, Assert.Single(result.Decision.Violations).RuleId);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
        Assert.Equal("Denied", Assert.Single(audit.Records).Outcome);
    }

    [Fact]
    public async Task ChangeAsync_DisableUnprotectedCluster_Applied()
    {
        Has(Cluster("c-dev-000001", "cn-hangzhou", "key-a"));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-1")
            .AndDoes(_ => Has(Cluster("c-dev-000001", "cn-hangzhou", null)));

        var result = await Service(ProtectProd).ChangeAsync(new("c-dev-000001", null, true, false, null, "webhook:ci", "req-1"));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        await ack.Received(1).UpdateKmsEncryptionAsync("cn-hangzhou", "c-dev-000001", new KmsEncryptionChange(null, true), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task ChangeAsync_AlreadyDesired_NoChangeWithoutCall()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", "key-a"));

        var result = await Service().ChangeAsync(Enable("c-a-0000001", "key-a"));

        Assert.Equal(ChangeOutcome.NoChange, result.Outcome);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task ChangeAsync_DryRun_PlanWithoutCall()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));

        var result = await Service().ChangeAsync(Enable("c-a-0000001", "key-b", dryRun: true));

        Assert.Equal(ChangeOutcome.DryRun, result.Outcome);
        Assert.Equal("key-b", result.Plan!.KmsKeyId);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task ChangeAsync_Allowed_CallsOnceFollowsUntilRunningAndVerifies()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-7").AndDoes(_ =>
            ack.GetClusterAsync("cn-hangzhou", "c-a-0000001", Arg.Any<CancellationToken>()).Returns(
                Cluster("c-a-0000001", "cn-hangzhou", null, state: "updating"),
                Cluster("c-a-0000001", "cn-hangzhou", "key-b")));

        var change = Service().ChangeAsync(Enable("c-a-0000001", "key-b"));
        await Wait.UntilAsync(() => change.IsCompleted, "the change to follow the cluster until running", step: () => time.Advance(TimeSpan.FromSeconds(2)));

        var result = await change;
        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        Assert.Equal(["R-7"], result.CloudRequestIds);
        Assert.True(result.After!.Enabled);
        await ack.Received(1).UpdateKmsEncryptionAsync("cn-hangzhou", "c-a-0000001", new KmsEncryptionChange("key-b", false), Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("key-service", RuleCatalog.ServiceKey)]
    [InlineData("key-off", RuleCatalog.KeyDisabled)]
    public async Task ChangeAsync_UnhealthyKey_DeniedWithTheRule(string key, string rule)
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));

        var result = await Service().ChangeAsync(Enable("c-a-0000001", key));

        Assert.Equal(ChangeOutcome.Denied, result.Outcome);
        Assert.Contains(result.Decision.Violations, v => v.RuleId == rule);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task ChangeAsync_KeyNotAllowed_DeniedWithKey005()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));

        var result = await Service("version: 1\nkeys:\n  allowed: [\"key-ok-*\"]\n").ChangeAsync(Enable("c-a-0000001", "key-b"));

        Assert.Contains(result.Decision.Violations, v => v.RuleId == RuleCatalog.KeyNotAllowed);
    }

    [Fact]
    public async Task ChangeAsync_RuleInWarn_AllowedWithTheViolationShown()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        kms.DescribeKeyAsync("cn-hangzhou", "key-norot", Arg.Any<CancellationToken>()).Returns(Key("key-norot", "cn-hangzhou", rotation: "Disabled"));

        var result = await Service("version: 1\nenforcement:\n  rules:\n    ACKFC-KEY-010: warn\n").ChangeAsync(Enable("c-a-0000001", "key-norot", dryRun: true));

        Assert.True(result.Decision.Allowed);
        Assert.Equal(Enforcement.Warn, result.Decision.Enforcement);
        Assert.Contains(result.Decision.Violations, v => v.RuleId == RuleCatalog.Rotation);
    }

    [Theory]
    [InlineData("updating", 30)]
    [InlineData("running", 2)]
    public async Task ChangeAsync_BusyOrInsideCoolDown_ConflictWithoutCall(string state, int minutesSinceChange)
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null, state: state, updated: Now.AddMinutes(-minutesSinceChange)));

        var result = await Service().ChangeAsync(Enable("c-a-0000001", "key-b"));

        Assert.Equal(ChangeOutcome.Conflict, result.Outcome);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task ChangeAsync_UnknownCluster_NotFound()
    {
        var result = await Service().ChangeAsync(Enable("c-missing-01", "key-b"));

        Assert.Equal(ChangeOutcome.NotFound, result.Outcome);
    }

    [Fact]
    public async Task ChangeAsync_AckAnswers409_ConflictAndNotRetried()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(
            new AlibabaCloudException(AlibabaCloudErrorKind.Conflict, "ErrorClusterState", "cool-down", 409, "R-409"));

        var result = await Service().ChangeAsync(Enable("c-a-0000001", "key-b"));

        Assert.Equal(ChangeOutcome.Conflict, result.Outcome);
        await ack.ReceivedWithAnyArgs(1).UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task ChangeAsync_TwoConcurrentForOneCluster_ExactlyOneCall()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        var gate = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs(_ => gate.Task);
        var service = Service();

        var first = service.ChangeAsync(Enable("c-a-0000001", "key-b"));
        await Wait.UntilAsync(() => ack.ReceivedCalls().Any(c => c.GetMethodInfo().Name == nameof(IAckClient.UpdateKmsEncryptionAsync)), "the first change to call UpdateKMSEncryption");

        var second = await service.ChangeAsync(Enable("c-a-0000001", "key-b"));
        Has(Cluster("c-a-0000001", "cn-hangzhou", "key-b"));
        gate.SetResult("R-1");
        var done = await first;

        Assert.Equal(ChangeOutcome.Conflict, second.Outcome);
        Assert.Equal(ChangeOutcome.Applied, done.Outcome);
        await ack.ReceivedWithAnyArgs(1).UpdateKmsEncryptionAsync(default!, default!, default!, default);
        // The conflict, the change when ACK accepted it, and the change when verified.
        Assert.Equal(["Conflict", "Accepted", "Applied"], audit.Records.Select(r => r.Outcome));
    }

    [Fact]
    public async Task ChangeAsync_DryRunBesideAChangeInFlight_StillDecides()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        var gate = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs(_ => gate.Task);
        var service = Service();

        var change = service.ChangeAsync(Enable("c-a-0000001", "key-b"));
        await Wait.UntilAsync(() => ack.ReceivedCalls().Any(c => c.GetMethodInfo().Name == nameof(IAckClient.UpdateKmsEncryptionAsync)), "the first change to call UpdateKMSEncryption");

        var dryRun = await service.ChangeAsync(Enable("c-a-0000001", "key-b", dryRun: true));
        Has(Cluster("c-a-0000001", "cn-hangzhou", "key-b"));
        gate.SetResult("R-1");
        await change;

        Assert.Equal(ChangeOutcome.DryRun, dryRun.Outcome);
        await ack.ReceivedWithAnyArgs(1).UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }
}
