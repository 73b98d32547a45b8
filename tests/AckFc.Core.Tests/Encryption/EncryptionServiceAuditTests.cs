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

/// <summary>
/// The service side of issue 17 items 1, 11–13 and 20 and issue 11 item 8: the audit record of a change is written the
/// moment ACK accepts it, cancellation after the write is an answer (accepted), never an exception, the reads leave
/// room for the change, and the cloud's failures are the cloud's (never "invalid" or "denied").
/// </summary>
public sealed class EncryptionServiceAuditTests
{
    private readonly IAckClient ack = Substitute.For<IAckClient>();
    private readonly IKmsClient kms = Substitute.For<IKmsClient>();
    private readonly RecordingAuditSink audit = new();
    private readonly FakeTimeProvider time = new(Now);

    public EncryptionServiceAuditTests()
    {
        ack.GetClusterAsync(default!, default!, default).ThrowsAsyncForAnyArgs(new AlibabaCloudException(AlibabaCloudErrorKind.NotFound, "ErrorClusterNotFound", "no", 404));
        kms.ListKeysAsync(default!, default!, default).ReturnsForAnyArgs(_ => Stream<KmsKeyReference>([]));
        kms.DescribeKeyAsync("cn-hangzhou", Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(c => Key(c.ArgAt<string>(1), "cn-hangzhou"));
    }

    private EncryptionService Service(string policy = "version: 1\n", IReadOnlyList<string>? regions = null) =>
        new(ack, kms, new StaticPolicyProvider(PolicyOf(policy)), audit, new ChangeLocks(),
            new AckFcCoreOptions { Regions = regions ?? ["cn-hangzhou"], ChangePollInterval = TimeSpan.FromSeconds(2), ChangeFollowTimeout = TimeSpan.FromSeconds(25) }, time);

    private void Has(AckCluster cluster, string region = "cn-hangzhou") =>
        ack.GetClusterAsync(region, cluster.ClusterId, Arg.Any<CancellationToken>()).Returns(cluster);

    private static EncryptionChangeRequest Enable(string cluster, string key, DateTimeOffset? deadline = null) =>
        new(cluster, key, false, false, "test", "webhook:ci", "req-1", Deadline: deadline);

    /// <summary>After the write, the cluster stays updating (every later read).</summary>
    private void StaysUpdatingAfterTheWrite(string cluster)
    {
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-1").AndDoes(_ =>
            Has(Cluster(cluster, "cn-hangzhou", null, state: "updating")));
    }

    [Fact]
    public async Task CancelledWhileFollowing_AcceptedNotThrown_AndTheChangeWasAuditedWhenAckAcceptedIt()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        StaysUpdatingAfterTheWrite("c-a-0000001");
        using var caller = new CancellationTokenSource();
        var change = Service().ChangeAsync(Enable("c-a-0000001", "key-b"), caller.Token);
        await WaitAsync(() => audit.Records.Count > 0, "the audit record written when ACK accepted the change");

        // Already on record while the cluster is followed, before anything else happens.
        var accepted = Assert.Single(audit.Records);
        Assert.Equal("Accepted", accepted.Outcome);
        Assert.Equal(["R-1"], accepted.CloudRequestIds);
        caller.Cancel();
        var result = await change;

        Assert.Equal(ChangeOutcome.Accepted, result.Outcome);
        Assert.Equal(["Accepted", "Accepted"], audit.Records.Select(r => r.Outcome));
        Assert.Contains("cut short", audit.Records[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelledBeforeTheWrite_ThrowsAfterAuditingTheCancelledDecision_AndNothingIsCalled()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        using var caller = new CancellationTokenSource();
        kms.DescribeKeyAsync("cn-hangzhou", "key-b", Arg.Any<CancellationToken>()).Returns(_ =>
        {
            caller.Cancel();
            return Task.FromException<KmsKeyMetadata>(new OperationCanceledException(caller.Token));
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Service().ChangeAsync(Enable("c-a-0000001", "key-b"), caller.Token));

        Assert.Equal("Cancelled", Assert.Single(audit.Records).Outcome);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task TheWriteIsNotCancelledByTheCallerLeaving()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        using var caller = new CancellationTokenSource();
        CancellationToken seen = default;
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs(c =>
        {
            seen = c.ArgAt<CancellationToken>(3);
            caller.Cancel();
            Has(Cluster("c-a-0000001", "cn-hangzhou", "key-b"));
            return "R-2";
        });

        var result = await Service().ChangeAsync(Enable("c-a-0000001", "key-b"), caller.Token);

        Assert.False(seen.IsCancellationRequested);
        Assert.True(result.Outcome is ChangeOutcome.Accepted or ChangeOutcome.Applied, result.Outcome.ToString());
        Assert.Equal(["R-2"], result.CloudRequestIds);
    }

    [Fact]
    public async Task FollowUpEndsBeforeTheDeadline_Accepted()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        StaysUpdatingAfterTheWrite("c-a-0000001");
        var change = Service().ChangeAsync(Enable("c-a-0000001", "key-b", deadline: Now.AddSeconds(10)));
        while (!change.IsCompleted && time.GetUtcNow() < Now.AddSeconds(60))
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(2);
        }

        var result = await change;
        Assert.Equal(ChangeOutcome.Accepted, result.Outcome);
        Assert.True(time.GetUtcNow() <= Now.AddSeconds(10) - EncryptionService.FollowReserve + TimeSpan.FromSeconds(1), $"followed until {time.GetUtcNow():O}");
    }

    [Fact]
    public async Task ReadsThatHang_StopAtHalfTheTimeLeft_CloudFailedDeadlineExceeded()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        kms.DescribeKeyAsync("cn-hangzhou", "key-b", Arg.Any<CancellationToken>()).Returns(async c =>
        {
            await Task.Delay(Timeout.Infinite, c.ArgAt<CancellationToken>(2));
            return Key("key-b", "cn-hangzhou");
        });

        var change = Service().ChangeAsync(Enable("c-a-0000001", "key-b", deadline: Now.AddSeconds(60)));
        await Task.Delay(20);
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(20);
        Assert.False(change.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1.5));
        var result = await change.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ChangeOutcome.CloudFailed, result.Outcome);
        Assert.Equal("DeadlineExceeded", result.ErrorCode);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task DisableWhereEncryptionIsRequired_DeniedUnderEnc001_UnlessWaived()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", "key-a"));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-3").AndDoes(_ => Has(Cluster("c-a-0000001", "cn-hangzhou", null)));
        const string required = """
            version: 1
            encryption:
              required: { clusterSpecs: ["ack.pro.*"] }
              neverDisable: { none: true }
            """;
        var disable = new EncryptionChangeRequest("c-a-0000001", null, true, false, "x", "webhook:ci", "req-1");

        var denied = await Service(required).ChangeAsync(disable);
        var waived = await Service(required + """

            waivers:
              - rule: ACKFC-ENC-001
                selector: { clusterIds: ["c-a-0000001"] }
                reason: "r"
                owner: o@example.com
                expires: 2099-01-01
            """).ChangeAsync(disable);
        var expired = await Service(required + """

            waivers:
              - rule: ACKFC-ENC-001
                selector: { clusterIds: ["c-a-0000001"] }
                reason: "r"
                owner: o@example.com
                expires: 2020-01-01
            """).ChangeAsync(disable);

        Assert.Equal(ChangeOutcome.Denied, denied.Outcome);
        Assert.Equal(RuleCatalog.EncryptionEnabled, Assert.Single(denied.Decision.Violations).RuleId);
        Assert.Equal(ChangeOutcome.Applied, waived.Outcome);
        Assert.Equal(ChangeOutcome.Denied, expired.Outcome);
    }

    [Fact]
    public async Task ServiceKeyListingFails_CloudFailedNotDenied_AndTheAnswerHoldsNoCloudMessage()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        kms.ListKeysAsync(default!, default!, default).ReturnsForAnyArgs(_ => Failing<KmsKeyReference>(
            new AlibabaCloudException(AlibabaCloudErrorKind.Transient, "ServiceUnavailable", "canonical request: GET / x-acs-access-key-id LTAIsecretish", 503, "RID-9")));

        var result = await Service().ChangeAsync(Enable("c-a-0000001", "key-b"));

        Assert.Equal(ChangeOutcome.CloudFailed, result.Outcome);
        Assert.Equal("ServiceUnavailable", result.ErrorCode);
        Assert.DoesNotContain("LTAI", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("canonical", result.Message, StringComparison.Ordinal);
        Assert.Contains("RID-9", result.Message, StringComparison.Ordinal);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task CloudClientErrorWhileReadingTheCluster_CloudFailedNotInvalid()
    {
        ack.GetClusterAsync("cn-hangzhou", "c-a-0000001", Arg.Any<CancellationToken>())
            .ThrowsAsync(new AlibabaCloudException(AlibabaCloudErrorKind.ClientError, "SignatureDoesNotMatch", "the string to sign was ...", 400, "RID-1"));

        var result = await Service().ChangeAsync(Enable("c-a-0000001", "key-b"));

        Assert.Equal(ChangeOutcome.CloudFailed, result.Outcome);
        Assert.Equal("SignatureDoesNotMatch", result.ErrorCode);
        Assert.DoesNotContain("string to sign", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterFoundOutsideTheConfiguredRegions_NotFound()
    {
        // DescribeClusterDetail answers for a cluster of any region, whichever endpoint is asked.
        Has(Cluster("c-sh-0000001", "cn-shanghai", null));

        var result = await Service().ChangeAsync(Enable("c-sh-0000001", "key-b"));
        var status = await Service().GetStatusAsync("c-sh-0000001", "req-2");

        Assert.Equal(ChangeOutcome.NotFound, result.Outcome);
        Assert.Equal(StatusOutcome.NotFound, status.Outcome);
        Assert.Null(status.Status);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Theory]
    [InlineData(AlibabaCloudErrorKind.Throttling, "Throttling.User", 400, true)]
    [InlineData(AlibabaCloudErrorKind.Transient, "ServiceUnavailable", 503, true)]
    [InlineData(AlibabaCloudErrorKind.Transient, "InternalError", 500, false)]
    [InlineData(AlibabaCloudErrorKind.ClientError, "Forbidden.RAM", 403, false)]
    public async Task StatusReadFails_CloudFailedWithRetryableFromTheFailure(AlibabaCloudErrorKind kind, string code, int http, bool retryable)
    {
        ack.GetClusterAsync(default!, default!, default).ThrowsAsyncForAnyArgs(new AlibabaCloudException(kind, code, "secret-bearing cloud text", http, "req-cloud"));

        var status = await Service().GetStatusAsync("c-a-0000001", "req-2");

        Assert.Equal(StatusOutcome.CloudFailed, status.Outcome);
        Assert.Equal(code, status.ErrorCode);
        Assert.Equal(retryable, status.Retryable);
        Assert.Contains("req-cloud", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-bearing", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AckRefusesWithConflict_ConflictSayingAckRefusedIt_Audited()
    {
        Has(Cluster("c-a-0000001", "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(
            new AlibabaCloudException(AlibabaCloudErrorKind.Conflict, "ErrorClusterState", "cluster is updating", 409, "RID-4"));

        var result = await Service().ChangeAsync(Enable("c-a-0000001", "key-b"));

        Assert.Equal(ChangeOutcome.Conflict, result.Outcome);
        Assert.Equal("ErrorClusterState", result.ErrorCode);
        var record = Assert.Single(audit.Records);
        Assert.Equal("Conflict", record.Outcome);
        Assert.Contains("ACK refused", record.Message, StringComparison.Ordinal);
        Assert.Equal(["RID-4"], record.CloudRequestIds);
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Waited 10 s for {what}.");
            await Task.Delay(5);
        }
    }
}
