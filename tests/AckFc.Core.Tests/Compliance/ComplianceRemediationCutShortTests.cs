using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Compliance;
using AckFc.Core.Encryption;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Settings;
using AckFc.Core.Tests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Compliance;

/// <summary>
/// Remediation whose call or follow-up the deadline cuts short (issue 17, item 2): an action the cloud accepted is
/// recorded as applied (or accepted, state unconfirmed), never as "not applied".
/// </summary>
public sealed class ComplianceRemediationCutShortTests
{
    private readonly IAckClient ack = Substitute.For<IAckClient>();
    private readonly IKmsClient kms = Substitute.For<IKmsClient>();
    private readonly IEncryptionService encryption = Substitute.For<IEncryptionService>();
    private readonly RecordingAuditSink audit = new();
    private readonly FakeTimeProvider time = new(Now);

    private const string EncryptPolicy = """
        version: 1
        remediation:
          enableEncryption:
            enabled: true
            defaultKeys:
              cn-hangzhou: key-spare
        """;

    private const string KeyPolicy = """
        version: 1
        remediation:
          enableKey: true
        """;

    private ComplianceService Service(string policy) => new(ack, kms, new StaticPolicyProvider(PolicyOf(policy)), encryption, audit,
        new AckFcCoreOptions { Regions = ["cn-hangzhou"] }, time, NullLogger<ComplianceService>.Instance);

    private void UnencryptedCluster()
    {
        ack.ListClustersAsync("cn-hangzhou", Arg.Any<CancellationToken>()).Returns(_ => Stream(new[] { Cluster("c-plain-0001", "cn-hangzhou", null) }));
        kms.ListKeysAsync(default!, default!, default).ReturnsForAnyArgs(_ => Stream<KmsKeyReference>([]));
    }

    private void DisabledKey()
    {
        ack.ListClustersAsync("cn-hangzhou", Arg.Any<CancellationToken>()).Returns(_ => Stream(new[] { Cluster("c-off-0001", "cn-hangzhou", "key-off") }));
        kms.ListKeysAsync(default!, default!, default).ReturnsForAnyArgs(_ => Stream<KmsKeyReference>([]));
    }

    private static SweepRequest Remediate => new(SweepMode.Remediate, ["cn-hangzhou"], "s1", "test");

    [Fact]
    public async Task Remediate_FollowUpCancelledAfterAckAccepted_RecordedAcceptedUnconfirmed()
    {
        UnencryptedCluster();
        // UpdateKMSEncryption went through; the deadline then cancelled the follow-up poll inside the change.
        encryption.ChangeAsync(default!, default).ReturnsForAnyArgs<EncryptionChangeResult>(_ => throw new OperationCanceledException());
        ack.GetClusterAsync("cn-hangzhou", "c-plain-0001", Arg.Any<CancellationToken>())
            .Returns(Cluster("c-plain-0001", "cn-hangzhou", null, state: "updating", updated: Now));

        var report = await Service(EncryptPolicy).SweepAsync(Remediate);

        var action = Assert.Single(report.Actions);
        Assert.Equal(RemediationStatus.Applied, action.Status);
        Assert.Contains("Accepted by ACK, state unconfirmed", action.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("not applied", action.Reason, StringComparison.Ordinal);
        Assert.Equal("Applied", Assert.Single(audit.Records).Outcome);
    }

    [Fact]
    public async Task Remediate_ChangeAnswersAccepted_RecordedAppliedAsAccepted()
    {
        UnencryptedCluster();
        encryption.ChangeAsync(default!, default).ReturnsForAnyArgs(call => new EncryptionChangeResult
        {
            Outcome = ChangeOutcome.Accepted,
            Message = "ACK accepted the change; cluster c-plain-0001 is still updating.",
            Decision = new Decision { Allowed = true, Enforcement = Enforcement.Enforce, Violations = [], PolicyVersion = "v", RequestId = "s1" },
            CloudRequestIds = ["req-1"],
        });

        var report = await Service(EncryptPolicy).SweepAsync(Remediate);

        var action = Assert.Single(report.Actions);
        Assert.Equal(RemediationStatus.Applied, action.Status);
        Assert.StartsWith("Accepted by ACK, state unconfirmed", action.Reason, StringComparison.Ordinal);
        Assert.Equal("req-1", action.RequestId);
    }

    [Fact]
    public async Task Remediate_KeyActionAnswerCutShort_ConfirmedOnReReadAsApplied()
    {
        DisabledKey();
        // Judged Disabled, re-read Disabled before acting, and enabled when confirmed after the cut-short call.
        kms.DescribeKeyAsync("cn-hangzhou", "key-off", Arg.Any<CancellationToken>()).Returns(
            Key("key-off", "cn-hangzhou", "Disabled"), Key("key-off", "cn-hangzhou", "Disabled"), Key("key-off", "cn-hangzhou"));
        kms.EnableKeyAsync("cn-hangzhou", "key-off", Arg.Any<CancellationToken>()).ThrowsAsync(new OperationCanceledException());

        var report = await Service(KeyPolicy).SweepAsync(Remediate);

        var action = Assert.Single(report.Actions);
        Assert.Equal(RemediationStatus.Applied, action.Status);
        Assert.Contains("confirmed on re-read", action.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(report.Errors, e => e.Scope == "remediation");
    }

    [Fact]
    public async Task Remediate_CutShortAndTheReReadFails_FailedUnconfirmedNeverNotApplied()
    {
        DisabledKey();
        kms.DescribeKeyAsync("cn-hangzhou", "key-off", Arg.Any<CancellationToken>()).Returns(
            _ => Key("key-off", "cn-hangzhou", "Disabled"),
            _ => Key("key-off", "cn-hangzhou", "Disabled"),
            _ => throw new AlibabaCloudException(AlibabaCloudErrorKind.Transient, "ServiceUnavailable", "try later"));
        kms.EnableKeyAsync("cn-hangzhou", "key-off", Arg.Any<CancellationToken>()).ThrowsAsync(new OperationCanceledException());

        var report = await Service(KeyPolicy).SweepAsync(Remediate);

        var action = Assert.Single(report.Actions);
        Assert.Equal(RemediationStatus.Failed, action.Status);
        Assert.Equal("Unconfirmed", action.ErrorCode);
        Assert.DoesNotContain("not applied", action.Reason, StringComparison.Ordinal);
        Assert.Contains(report.Errors, e => e.Scope == "remediation" && e.Code == "Unconfirmed");
    }

    [Fact]
    public async Task Remediate_CutShortBeforeTheWrite_StillPlannedNotApplied()
    {
        DisabledKey();
        kms.DescribeKeyAsync("cn-hangzhou", "key-off", Arg.Any<CancellationToken>()).Returns(
            _ => Key("key-off", "cn-hangzhou", "Disabled"),
            _ => throw new OperationCanceledException());

        var report = await Service(KeyPolicy).SweepAsync(Remediate);

        var action = Assert.Single(report.Actions);
        Assert.Equal(RemediationStatus.Planned, action.Status);
        Assert.Contains("not applied", action.Reason, StringComparison.Ordinal);
        await kms.DidNotReceiveWithAnyArgs().EnableKeyAsync(default!, default!, default);
    }
}
