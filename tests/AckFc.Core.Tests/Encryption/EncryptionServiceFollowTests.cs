using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Encryption;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Settings;
using AckFc.Core.Tests.TestDoubles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Encryption;

/// <summary>
/// What happens after the policy allowed a change: the one write, following the cluster until it runs again, verifying
/// it, and what every answer and audit record then says (issue 18: the follow/verify paths).
/// </summary>
public sealed class EncryptionServiceFollowTests
{
    private const string ClusterId = "c-a-0000001";
    private readonly IAckClient ack = Substitute.For<IAckClient>();
    private readonly IKmsClient kms = Substitute.For<IKmsClient>();
    private readonly RecordingAuditSink audit = new();
    private readonly FakeTimeProvider time = new(Now);
    private readonly ChangeLocks locks = new();
    private readonly FakeLogger<EncryptionService> logger = new();

    public EncryptionServiceFollowTests()
    {
        ack.GetClusterAsync(default!, default!, default).ThrowsAsyncForAnyArgs(new AlibabaCloudException(AlibabaCloudErrorKind.NotFound, "ErrorClusterNotFound", "no", 404));
        kms.ListKeysAsync(default!, default!, default).ReturnsForAnyArgs(_ => Stream<KmsKeyReference>([new("key-service", null)]));
        kms.DescribeKeyAsync("cn-hangzhou", Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(c => Key(c.ArgAt<string>(1), "cn-hangzhou"));
    }

    private const string MayDisable = """
        version: 1
        encryption:
          required: { none: true }
          neverDisable: { none: true }
        """;

    private EncryptionService Service(TimeSpan? followTimeout = null, IReadOnlyList<string>? regions = null, string policy = "version: 1\n") =>
        new(ack, kms, new StaticPolicyProvider(PolicyOf(policy)), audit, locks,
            new AckFcCoreOptions
            {
                Regions = regions ?? ["cn-hangzhou"], ChangePollInterval = TimeSpan.FromSeconds(2), ChangeFollowTimeout = followTimeout ?? TimeSpan.FromSeconds(30),
            }, time, logger);

    private void Has(AckCluster cluster, string region = "cn-hangzhou") =>
        ack.GetClusterAsync(region, cluster.ClusterId, Arg.Any<CancellationToken>()).Returns(cluster);

    private static EncryptionChangeRequest Enable(string key, DateTimeOffset? deadline = null, string? region = null) =>
        new(ClusterId, key, false, false, "rotate to the new key", "webhook:ci", "req-1", RegionId: region, Deadline: deadline);

    private static EncryptionChangeRequest Disable() => new(ClusterId, null, true, false, "cleanup", "webhook:ci", "req-1");

    private static AlibabaCloudException Failure(AlibabaCloudErrorKind kind, string code, int? http = 503, string? requestId = "RID-1") =>
        new(kind, code, "cloud text with LTAIsecret", http, requestId);

    private int Reads() => ack.ReceivedCalls().Count(c => c.GetMethodInfo().Name == nameof(IAckClient.GetClusterAsync));

    /// <summary>Steps the fake clock a second at a time until the change answers.</summary>
    private async Task<EncryptionChangeResult> RunAsync(Task<EncryptionChangeResult> change)
    {
        await Wait.UntilAsync(() => change.IsCompleted, "the change to answer", step: () => time.Advance(TimeSpan.FromSeconds(1)));
        return await change;
    }

    [Fact]
    public async Task Applied_TheAuditRecordsHoldWhoWhatWhereAndTheResolvedKey()
    {
        const string arn = "acs:kms:cn-hangzhou:1234567890:key/key-real";
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        kms.DescribeKeyAsync("cn-hangzhou", arn, Arg.Any<CancellationToken>()).Returns(Key("key-real", "cn-hangzhou"));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-7").AndDoes(_ => Has(Cluster(ClusterId, "cn-hangzhou", "key-real")));

        var result = await Service().ChangeAsync(Enable(arn));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        Assert.Equal($"Secrets of {ClusterId} are encrypted with key-real (verified).", result.Message);
        Assert.Equal(["Accepted", "Applied"], audit.Records.Select(r => r.Outcome));
        Assert.Contains("ACK accepted UpdateKMSEncryption", audit.Records[0].Message, StringComparison.Ordinal);
        foreach (var record in audit.Records)
        {
            Assert.Equal(Now, record.Time);
            Assert.Equal("webhook:ci", record.Actor);
            Assert.Equal("UpdateKMSEncryption", record.Action);
            Assert.Equal(ClusterId, record.ClusterId);
            Assert.Equal("cn-hangzhou", record.RegionId);
            Assert.Equal("key-real", record.KmsKeyId);
            Assert.False(record.DisableEncryption);
            Assert.False(record.DryRun);
            Assert.Equal("rotate to the new key", record.Reason);
            Assert.Equal("req-1", record.RequestId);
            Assert.Equal(["R-7"], record.CloudRequestIds);
            Assert.True(record.Decision!.Allowed);
            Assert.Equal(PolicyOf("version: 1\n").Version, record.PolicyVersion);
        }

        Assert.Equal(result.Message, audit.Records[1].Message);
    }

    [Fact]
    public async Task NotFound_AuditKeepsTheKeyAsAskedAndTheMessageNamesClusterAndRegions()
    {
        var result = await Service(regions: ["cn-hangzhou", "cn-beijing"]).ChangeAsync(Enable("key-b"));

        Assert.Equal(ChangeOutcome.NotFound, result.Outcome);
        Assert.Contains(ClusterId, result.Message, StringComparison.Ordinal);
        Assert.Contains("cn-hangzhou, cn-beijing", result.Message, StringComparison.Ordinal);
        // Not found is not a policy denial.
        Assert.True(result.Decision.Allowed);
        var record = Assert.Single(audit.Records);
        Assert.Equal("key-b", record.KmsKeyId);
        Assert.Equal("NotFound", record.Outcome);
    }

    [Fact]
    public async Task DisableApplied_MessageSaysEncryptionIsOff()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", "key-a"));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-8").AndDoes(_ => Has(Cluster(ClusterId, "cn-hangzhou", null)));

        var result = await Service(policy: MayDisable).ChangeAsync(Disable());

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        Assert.Equal($"Secret encryption of {ClusterId} is off (verified).", result.Message);
        Assert.True(Assert.Single(audit.Records, r => r.Outcome == "Applied").DisableEncryption);
    }

    [Fact]
    public async Task RunningAgainButNotShowingTheChange_CloudFailedNotVerified()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-9");

        var result = await Service().ChangeAsync(Enable("key-b"));

        Assert.Equal(ChangeOutcome.CloudFailed, result.Outcome);
        Assert.Equal("NotVerified", result.ErrorCode);
        Assert.Contains("does not show it", result.Message, StringComparison.Ordinal);
        Assert.Contains("key none", result.Message, StringComparison.Ordinal);
        Assert.False(result.After!.Enabled);
        Assert.Equal(["R-9"], result.CloudRequestIds);
    }

    [Fact]
    public async Task WriteWithoutRequestId_NoEmptyRequestIdInTheAnswer()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs((string?)null).AndDoes(_ => Has(Cluster(ClusterId, "cn-hangzhou", "key-b")));

        var result = await Service().ChangeAsync(Enable("key-b"));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        Assert.Empty(result.CloudRequestIds);
    }

    [Fact]
    public async Task StillUpdatingWhenTheFollowBudgetEnds_AcceptedSayingSo_NotCutShort()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-1")
            .AndDoes(_ => Has(Cluster(ClusterId, "cn-hangzhou", null, state: "updating")));

        var result = await RunAsync(Service(TimeSpan.FromSeconds(10)).ChangeAsync(Enable("key-b")));

        Assert.Equal(ChangeOutcome.Accepted, result.Outcome);
        Assert.Contains($"cluster {ClusterId} is still updating", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cut short", result.Message, StringComparison.Ordinal);
        Assert.Contains($"/clusters/{ClusterId}/kms", result.Message, StringComparison.Ordinal);
        Assert.False(result.After!.Enabled);
    }

    [Fact]
    public async Task RunningAgainSoon_SeenWithinAPollInterval_NotAtTheEndOfTheBudget()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-1").AndDoes(_ =>
            ack.GetClusterAsync("cn-hangzhou", ClusterId, Arg.Any<CancellationToken>()).Returns(
                Cluster(ClusterId, "cn-hangzhou", null, state: "updating"),
                Cluster(ClusterId, "cn-hangzhou", null, state: "updating"),
                Cluster(ClusterId, "cn-hangzhou", "key-b")));

        var result = await RunAsync(Service(TimeSpan.FromSeconds(60)).ChangeAsync(Enable("key-b")));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        // Running again on the third read, two poll intervals (4 s) in; never the whole 60 s budget.
        Assert.True(time.GetUtcNow() < Now.AddSeconds(30), $"seen running at {time.GetUtcNow():O}");
    }

    [Fact]
    public async Task FollowBudgetNotAMultipleOfThePollInterval_LastReadAtTheBudgetsEnd()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-1")
            .AndDoes(_ => Has(Cluster(ClusterId, "cn-hangzhou", null, state: "updating")));
        var change = Service(TimeSpan.FromSeconds(3)).ChangeAsync(Enable("key-b"));

        // The cluster read, then the follow reads at 0 s and 2 s; the last at 3 s, when the budget ends (not 4 s).
        await Wait.UntilAsync(() => Reads() == 2, "the first follow read");
        await Task.Delay(100);
        time.Advance(TimeSpan.FromSeconds(2));
        await Wait.UntilAsync(() => Reads() == 3, "the second follow read");
        await Task.Delay(100);
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await change.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ChangeOutcome.Accepted, result.Outcome);
        Assert.Equal(4, Reads());
    }

    [Fact]
    public async Task FollowEndsBeforeTheCallersDeadline_EvenWithALongerFollowBudget()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-1")
            .AndDoes(_ => Has(Cluster(ClusterId, "cn-hangzhou", null, state: "updating")));

        var result = await RunAsync(Service(TimeSpan.FromSeconds(60)).ChangeAsync(Enable("key-b", deadline: Now.AddSeconds(20))));

        Assert.Equal(ChangeOutcome.Accepted, result.Outcome);
        // The follow-up ends FollowReserve (3 s) before the deadline, so the answer is sent in time.
        Assert.True(time.GetUtcNow() <= Now.AddSeconds(20) - EncryptionService.FollowReserve + TimeSpan.FromSeconds(1), $"answered at {time.GetUtcNow():O}");
    }

    [Fact]
    public async Task FailedReadsWhileFollowing_KeepFollowing_ThenVerified()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-1").AndDoes(_ =>
            ack.GetClusterAsync("cn-hangzhou", ClusterId, Arg.Any<CancellationToken>()).Returns(
                _ => Task.FromResult(Cluster(ClusterId, "cn-hangzhou", null, state: "updating")),
                _ => throw Failure(AlibabaCloudErrorKind.Transient, "ServiceUnavailable"),
                _ => Task.FromResult(Cluster(ClusterId, "cn-hangzhou", "key-b"))));

        var result = await RunAsync(Service().ChangeAsync(Enable("key-b")));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
    }

    [Fact]
    public async Task FirstReadAfterTheWriteFails_TheSnapshotFromBeforeTheWriteDoesNotEndFollowing()
    {
        // Before the write the cluster runs without encryption; ACK takes the change; the first read after it fails.
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-1").AndDoes(_ =>
            ack.GetClusterAsync("cn-hangzhou", ClusterId, Arg.Any<CancellationToken>()).Returns(
                _ => throw Failure(AlibabaCloudErrorKind.Transient, "ServiceUnavailable"),
                _ => Task.FromResult(Cluster(ClusterId, "cn-hangzhou", null, state: "updating")),
                _ => Task.FromResult(Cluster(ClusterId, "cn-hangzhou", "key-b"))));

        var result = await RunAsync(Service().ChangeAsync(Enable("key-b")));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        Assert.Equal(4, Reads());
    }

    [Fact]
    public async Task EveryReadAfterTheWriteFails_InProgressNotAFailedChange()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs("R-1").AndDoes(_ =>
            ack.GetClusterAsync("cn-hangzhou", ClusterId, Arg.Any<CancellationToken>()).ThrowsAsync(Failure(AlibabaCloudErrorKind.Transient, "ServiceUnavailable")));

        var result = await RunAsync(Service(TimeSpan.FromSeconds(6)).ChangeAsync(Enable("key-b")));

        // ACK accepted the change and nothing read since says otherwise: "accepted, still being applied", not "not verified".
        Assert.Equal(ChangeOutcome.Accepted, result.Outcome);
        Assert.NotEmpty(audit.Records);
    }

    [Fact]
    public async Task WriteStillInFlightAtTheDeadline_CloudFailedWriteOutcomeUnknown_Retryable()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs(async c =>
        {
            await Task.Delay(Timeout.Infinite, c.ArgAt<CancellationToken>(3));
            return (string?)"R-never";
        });
        var change = Service().ChangeAsync(Enable("key-b", deadline: Now.AddSeconds(10)));
        await Wait.UntilAsync(() => ack.ReceivedCalls().Any(c => c.GetMethodInfo().Name == nameof(IAckClient.UpdateKmsEncryptionAsync)), "the write");
        await Task.Delay(100);

        // The write gets until WriteReserve (1 s) before the deadline.
        time.Advance(TimeSpan.FromSeconds(10) - EncryptionService.WriteReserve);
        var result = await change.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ChangeOutcome.CloudFailed, result.Outcome);
        Assert.Equal("WriteOutcomeUnknown", result.ErrorCode);
        Assert.True(result.Retryable);
        Assert.Contains("unknown", result.Message, StringComparison.Ordinal);
        Assert.Equal("CloudFailed", Assert.Single(audit.Records).Outcome);
        // Nothing is followed when the write's fate is unknown.
        Assert.Equal(1, Reads());
    }

    [Fact]
    public async Task DeadlineFarAway_TheWriteIsNotCutShort()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ReturnsForAnyArgs(c =>
        {
            c.ArgAt<CancellationToken>(3).ThrowIfCancellationRequested();
            Has(Cluster(ClusterId, "cn-hangzhou", "key-b"));
            return "R-1";
        });

        var result = await Service().ChangeAsync(Enable("key-b", deadline: Now.AddSeconds(60)));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
    }

    [Fact]
    public async Task DeadlineAlreadyPassed_CloudFailedDeadlineExceeded_Retryable_NothingWritten()
    {
        ack.GetClusterAsync("cn-hangzhou", ClusterId, Arg.Any<CancellationToken>()).Returns(c =>
        {
            c.ArgAt<CancellationToken>(2).ThrowIfCancellationRequested();
            return Cluster(ClusterId, "cn-hangzhou", null);
        });

        var result = await Service().ChangeAsync(Enable("key-b", deadline: Now.AddSeconds(-1)));

        Assert.Equal(ChangeOutcome.CloudFailed, result.Outcome);
        Assert.Equal("DeadlineExceeded", result.ErrorCode);
        Assert.True(result.Retryable);
        Assert.Contains("half of the time left", result.Message, StringComparison.Ordinal);
        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task ACancellationThatIsNotTheReadBudgets_GoesOnToTheCaller_AfterAuditingIt()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        kms.DescribeKeyAsync("cn-hangzhou", "key-b", Arg.Any<CancellationToken>()).ThrowsAsync(new OperationCanceledException("the HTTP client gave up"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Service().ChangeAsync(Enable("key-b", deadline: Now.AddSeconds(60))));

        var record = Assert.Single(audit.Records);
        Assert.Equal("Cancelled", record.Outcome);
        Assert.Contains("nothing was changed", record.Message, StringComparison.Ordinal);
        Assert.Equal("cn-hangzhou", record.RegionId);
    }

    [Fact]
    public async Task CallerLeavesAfterTheReads_NothingWritten()
    {
        using var caller = new CancellationTokenSource();
        ack.GetClusterAsync("cn-hangzhou", ClusterId, Arg.Any<CancellationToken>()).Returns(_ =>
        {
            caller.Cancel();
            return Cluster(ClusterId, "cn-hangzhou", null);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Service().ChangeAsync(Enable("key-b"), caller.Token));

        await ack.DidNotReceiveWithAnyArgs().UpdateKmsEncryptionAsync(default!, default!, default!, default);
        Assert.Equal("Cancelled", Assert.Single(audit.Records).Outcome);
    }

    [Fact]
    public async Task OneChangeAfterAnother_TheLockIsReleased()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", "key-a"));
        var service = Service();

        var first = await service.ChangeAsync(Enable("key-a"));
        var second = await service.ChangeAsync(Enable("key-a"));

        Assert.Equal(ChangeOutcome.NoChange, first.Outcome);
        Assert.Equal(ChangeOutcome.NoChange, second.Outcome);
    }

    [Fact]
    public async Task AChangeInProgress_ConflictSaysSo()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        Assert.True(locks.TryEnter(ClusterId));

        var result = await Service().ChangeAsync(Enable("key-b"));

        Assert.Equal(ChangeOutcome.Conflict, result.Outcome);
        Assert.Contains("in progress", result.Message, StringComparison.Ordinal);
        await ack.DidNotReceiveWithAnyArgs().GetClusterAsync(default!, default!, default);
    }

    [Fact]
    public async Task NoChangeOrDenied_AfterOnlyWhenNothingIsToChange()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", "key-a"));
        kms.DescribeKeyAsync("cn-hangzhou", "key-off", Arg.Any<CancellationToken>()).Returns(Key("key-off", "cn-hangzhou", KmsKeyStates.Disabled));

        var same = await Service().ChangeAsync(Enable("key-a"));
        var denied = await Service().ChangeAsync(Enable("key-off"));

        Assert.Equal(ChangeOutcome.NoChange, same.Outcome);
        Assert.Equal(same.Before, same.After);
        Assert.NotNull(same.After);
        Assert.Equal(ChangeOutcome.Denied, denied.Outcome);
        Assert.Null(denied.After);
    }

    [Fact]
    public async Task RegionNamedInTheRequest_OnlyThatRegionIsAsked()
    {
        Has(Cluster(ClusterId, "cn-beijing", "key-a"), "cn-beijing");
        Has(Cluster(ClusterId, "cn-beijing", "key-a"), "cn-hangzhou");
        kms.DescribeKeyAsync("cn-beijing", Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(c => Key(c.ArgAt<string>(1), "cn-beijing"));

        var result = await Service(regions: ["cn-hangzhou", "cn-beijing"]).ChangeAsync(Enable("key-a", region: "cn-beijing"));

        Assert.Equal(ChangeOutcome.NoChange, result.Outcome);
        await ack.DidNotReceive().GetClusterAsync("cn-hangzhou", Arg.Any<string>(), Arg.Any<CancellationToken>());
    }

    public static TheoryData<string, AlibabaCloudErrorKind, string, ChangeOutcome, bool> FailurePoints => new()
    {
        { "reading the cluster", AlibabaCloudErrorKind.Transient, "ServiceUnavailable", ChangeOutcome.CloudFailed, true },
        { "reading the cluster", AlibabaCloudErrorKind.Transient, "InternalError", ChangeOutcome.CloudFailed, false },
        { "reading the cluster", AlibabaCloudErrorKind.Conflict, "Throttling.Conflict", ChangeOutcome.Conflict, false },
        { "reading the key", AlibabaCloudErrorKind.ClientError, "Forbidden.KeyNotAuthorized", ChangeOutcome.CloudFailed, false },
        { "reading the key", AlibabaCloudErrorKind.Throttling, "Throttling.User", ChangeOutcome.CloudFailed, true },
        { "listing the region's keys", AlibabaCloudErrorKind.Transient, "ServiceUnavailable", ChangeOutcome.CloudFailed, true },
        { "UpdateKMSEncryption", AlibabaCloudErrorKind.Transient, "ServiceUnavailable", ChangeOutcome.CloudFailed, true },
        { "UpdateKMSEncryption", AlibabaCloudErrorKind.ClientError, "Forbidden.RAM", ChangeOutcome.CloudFailed, false },
    };

    [Theory]
    [MemberData(nameof(FailurePoints))]
    public async Task CloudFails_TheAnswerNamesWhatFailedWithTheCloudsCodeStatusAndRequestId(
        string what, AlibabaCloudErrorKind kind, string code, ChangeOutcome outcome, bool retryable)
    {
        var failure = Failure(kind, code, 503, "RID-42");
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        switch (what)
        {
            case "reading the cluster":
                ack.GetClusterAsync("cn-hangzhou", ClusterId, Arg.Any<CancellationToken>()).ThrowsAsync(failure);
                break;
            case "reading the key":
                kms.DescribeKeyAsync("cn-hangzhou", "key-b", Arg.Any<CancellationToken>()).ThrowsAsync(failure);
                break;
            case "listing the region's keys":
                kms.ListKeysAsync(default!, default!, default).ReturnsForAnyArgs(_ => Failing<KmsKeyReference>(failure));
                break;
            default:
                ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(failure);
                break;
        }

        var result = await Service().ChangeAsync(Enable("key-b"));

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(code, result.ErrorCode);
        Assert.Equal(retryable, result.Retryable);
        Assert.Contains($"The cloud failed {what}: {code} (HTTP 503, cloud request id RID-42)", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LTAI", result.Message, StringComparison.Ordinal);
        Assert.Equal(["RID-42"], result.CloudRequestIds);
        // A cloud failure is the cloud's, never a policy denial.
        Assert.True(result.Decision.Allowed);
        // The cloud's own text goes to the log only.
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains(what, StringComparison.Ordinal)
            && r.Message.Contains("LTAIsecret", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("reading the cluster")]
    [InlineData("UpdateKMSEncryption")]
    public async Task CloudFailsWithoutStatusOrRequestId_MessageSaysNone_NoEmptyRequestId(string what)
    {
        var failure = Failure(AlibabaCloudErrorKind.Transient, "InternalError", http: null, requestId: null);
        Has(Cluster(ClusterId, "cn-hangzhou", null));
        if (what == "reading the cluster")
        {
            ack.GetClusterAsync("cn-hangzhou", ClusterId, Arg.Any<CancellationToken>()).ThrowsAsync(failure);
        }
        else
        {
            ack.UpdateKmsEncryptionAsync(default!, default!, default!, default).ThrowsAsyncForAnyArgs(failure);
        }

        var result = await Service().ChangeAsync(Enable("key-b"));

        Assert.Equal(ChangeOutcome.CloudFailed, result.Outcome);
        Assert.Contains($"The cloud failed {what}: InternalError (cloud request id none)", result.Message, StringComparison.Ordinal);
        Assert.Empty(result.CloudRequestIds);
    }

    [Fact]
    public async Task Status_UnknownCluster_NotFoundNamingIt()
    {
        var status = await Service().GetStatusAsync(ClusterId, "req-2");

        Assert.Equal(StatusOutcome.NotFound, status.Outcome);
        Assert.Contains(ClusterId, status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ReadFailsWithoutRequestId_MessageSaysNoneAndTheLogHasTheCloudsText()
    {
        ack.GetClusterAsync(default!, default!, default).ThrowsAsyncForAnyArgs(Failure(AlibabaCloudErrorKind.Transient, "InternalError", requestId: null));

        var status = await Service().GetStatusAsync(ClusterId, "req-2");

        Assert.Equal(StatusOutcome.CloudFailed, status.Outcome);
        Assert.Equal("The cloud failed: InternalError (request id none).", status.Message);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("reading the cluster", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("key-a", KmsKeyStates.Enabled, false, null)]
    [InlineData("key-service", KmsKeyStates.Enabled, true, null)]
    [InlineData("key-a", KmsKeyStates.PendingDeletion, false, 5)]
    public async Task Status_EncryptedCluster_KeyHealthAsKmsDescribesIt(string keyId, string state, bool serviceKey, int? daysLeft)
    {
        Has(Cluster(ClusterId, "cn-hangzhou", keyId));
        kms.DescribeKeyAsync("cn-hangzhou", keyId, Arg.Any<CancellationToken>()).Returns(Key(keyId, "cn-hangzhou", state, deleteDate: Now.AddDays(5)));

        var status = await Service().GetStatusAsync(ClusterId, "req-2");

        Assert.Equal(StatusOutcome.Found, status.Outcome);
        var key = status.Status!.Key!;
        Assert.Equal(keyId, key.KeyId);
        Assert.Equal(state, key.KeyState);
        Assert.Equal(serviceKey, key.ServiceKey);
        Assert.Equal(daysLeft, key.DaysUntilDeletion);
        Assert.Equal(Now.AddDays(5), key.DeleteDate);
        Assert.Equal(ClusterId, status.Status.Cluster.ClusterId);
    }

    [Fact]
    public async Task Status_UnencryptedCluster_NoKeyRead()
    {
        Has(Cluster(ClusterId, "cn-hangzhou", null));

        var status = await Service().GetStatusAsync(ClusterId, "req-2");

        Assert.Equal(StatusOutcome.Found, status.Outcome);
        Assert.Null(status.Status!.Key);
        await kms.DidNotReceiveWithAnyArgs().DescribeKeyAsync(default!, default!, default);
    }
}
