using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Encryption;
using AckFc.Core.Judging;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Encryption;

/// <summary>The key actions the sweep and the guard share: re-read, act only when still needed, say what was done.</summary>
public sealed class KeyRemediationTests
{
    private readonly IKmsClient kms = Substitute.For<IKmsClient>();

    private static RemediationAction Action(RemediationKind kind) => new()
    {
        Kind = kind, Status = RemediationStatus.Planned, RegionId = "cn-hangzhou", ClusterId = "c-a-0000001", KmsKeyId = "key-a",
        RuleId = "ACKFC-KEY-000", Reason = "planned",
    };

    public static TheoryData<RemediationKind, string, bool, bool> StillNeededTable => new()
    {
        { RemediationKind.CancelKeyDeletion, KmsKeyStates.PendingDeletion, true, true },
        { RemediationKind.CancelKeyDeletion, KmsKeyStates.Enabled, true, false },
        { RemediationKind.EnableKey, KmsKeyStates.Disabled, true, true },
        { RemediationKind.EnableKey, KmsKeyStates.Enabled, true, false },
        { RemediationKind.EnableDeletionProtection, KmsKeyStates.Enabled, false, true },
        { RemediationKind.EnableDeletionProtection, KmsKeyStates.Enabled, true, false },
        // Encryption is never turned on here: not a key action.
        { RemediationKind.EnableEncryption, KmsKeyStates.Enabled, false, false },
    };

    [Theory]
    [MemberData(nameof(StillNeededTable))]
    public void StillNeeded_KeyAsReadNow_OnlyWhileTheActionIsNotDone(RemediationKind kind, string state, bool protection, bool needed)
    {
        Assert.Equal(needed, KeyRemediation.StillNeeded(kind, Key("key-a", "cn-hangzhou", state, protection)));
    }

    [Theory]
    [InlineData(RemediationKind.CancelKeyDeletion, KmsKeyStates.PendingDeletion, true, false)]
    [InlineData(RemediationKind.CancelKeyDeletion, KmsKeyStates.Enabled, true, true)]
    [InlineData(RemediationKind.EnableKey, KmsKeyStates.Disabled, true, false)]
    [InlineData(RemediationKind.EnableKey, KmsKeyStates.Enabled, true, true)]
    [InlineData(RemediationKind.EnableDeletionProtection, KmsKeyStates.Enabled, false, false)]
    [InlineData(RemediationKind.EnableDeletionProtection, KmsKeyStates.Enabled, true, true)]
    [InlineData(RemediationKind.EnableEncryption, KmsKeyStates.Enabled, true, false)]
    public async Task IsDoneAsync_ReReadKey_ShowsWhetherTheActionTookEffect(RemediationKind kind, string state, bool protection, bool done)
    {
        kms.DescribeKeyAsync("cn-hangzhou", "key-a", Arg.Any<CancellationToken>()).Returns(Key("key-a", "cn-hangzhou", state, protection));

        var (isDone, keyId) = await new KeyRemediation(kms).IsDoneAsync(Action(kind), CancellationToken.None);

        Assert.Equal(done, isDone);
        Assert.Equal("key-a", keyId);
    }

    [Theory]
    [InlineData(RemediationKind.CancelKeyDeletion, "Cancelled the deletion of")]
    [InlineData(RemediationKind.EnableKey, "Enabled")]
    [InlineData(RemediationKind.EnableDeletionProtection, "Turned on deletion protection of")]
    [InlineData(RemediationKind.EnableEncryption, "Enabled encryption with")]
    public void Describe_EachKind_ItsOwnPastTense(RemediationKind kind, string text)
    {
        Assert.Equal(text, KeyRemediation.Describe(kind));
    }

    [Theory]
    [InlineData(RemediationKind.CancelKeyDeletion, KmsKeyStates.PendingDeletion, true, "Cancelled the deletion of key key-a.")]
    [InlineData(RemediationKind.EnableKey, KmsKeyStates.Disabled, true, "Enabled key key-a.")]
    [InlineData(RemediationKind.EnableDeletionProtection, KmsKeyStates.Enabled, false, "Turned on deletion protection of key key-a.")]
    public async Task ApplyAsync_StillNeeded_AppliedWithTheRequestIdAndWhatWasDone(RemediationKind kind, string state, bool protection, string reason)
    {
        kms.DescribeKeyAsync("cn-hangzhou", "key-a", Arg.Any<CancellationToken>()).Returns(Key("key-a", "cn-hangzhou", state, protection));
        kms.CancelKeyDeletionAsync(default!, default!, default).ReturnsForAnyArgs("R-cancel");
        kms.EnableKeyAsync(default!, default!, default).ReturnsForAnyArgs("R-enable");
        kms.SetDeletionProtectionAsync(default!, default!, default, default!, default).ReturnsForAnyArgs("R-protect");
        var calls = new CloudCallCounter();
        var writing = 0;

        var done = await new KeyRemediation(kms).ApplyAsync(Action(kind), () => writing++, calls, CancellationToken.None);

        Assert.Equal(RemediationStatus.Applied, done.Status);
        Assert.Equal(reason, done.Reason);
        Assert.Equal(kind switch { RemediationKind.CancelKeyDeletion => "R-cancel", RemediationKind.EnableKey => "R-enable", _ => "R-protect" }, done.RequestId);
        // The re-read and the action.
        Assert.Equal(2, calls.Count);
        Assert.Equal(1, writing);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ApplyAsync_DeletionProtection_SetOnTheKeysArnOrIdWithTheClusterNamed(bool hasArn)
    {
        var key = Key("key-a", "cn-hangzhou", protection: false);
        if (!hasArn)
        {
            key = key with { Arn = null };
        }

        kms.DescribeKeyAsync("cn-hangzhou", "key-a", Arg.Any<CancellationToken>()).Returns(key);

        await new KeyRemediation(kms).ApplyAsync(Action(RemediationKind.EnableDeletionProtection), null, null, CancellationToken.None);

        await kms.Received(1).SetDeletionProtectionAsync("cn-hangzhou", hasArn ? "acs:kms:cn-hangzhou:1234567890:key/key-a" : "key-a", true,
            Arg.Is<string>(d => d.Contains("c-a-0000001", StringComparison.Ordinal)), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task ApplyAsync_AlreadyDoneWhenReRead_SkippedNamingTheKeyAndItsState_NothingWritten()
    {
        kms.DescribeKeyAsync("cn-hangzhou", "key-a", Arg.Any<CancellationToken>()).Returns(Key("key-a", "cn-hangzhou", KmsKeyStates.Enabled));
        var calls = new CloudCallCounter();
        var writing = 0;

        var done = await new KeyRemediation(kms).ApplyAsync(Action(RemediationKind.CancelKeyDeletion), () => writing++, calls, CancellationToken.None);

        Assert.Equal(RemediationStatus.Skipped, done.Status);
        Assert.Contains("key-a", done.Reason, StringComparison.Ordinal);
        Assert.Contains(KmsKeyStates.Enabled, done.Reason, StringComparison.Ordinal);
        Assert.Equal(1, calls.Count);
        Assert.Equal(0, writing);
        await kms.DidNotReceiveWithAnyArgs().CancelKeyDeletionAsync(default!, default!, default);
    }

    [Fact]
    public async Task ApplyAsync_ReReadFails_FailedWithTheCloudsCodeAndRequestId()
    {
        kms.DescribeKeyAsync("cn-hangzhou", "key-a", Arg.Any<CancellationToken>())
            .ThrowsAsync(new AlibabaCloudException(AlibabaCloudErrorKind.Transient, "ServiceUnavailable", "down", 503, "RID-7"));

        var done = await new KeyRemediation(kms).ApplyAsync(Action(RemediationKind.EnableKey), null, null, CancellationToken.None);

        Assert.Equal(RemediationStatus.Failed, done.Status);
        Assert.Equal("ServiceUnavailable", done.ErrorCode);
        Assert.Equal("RID-7", done.RequestId);
        Assert.StartsWith("Enabled failed: ServiceUnavailable", done.Reason, StringComparison.Ordinal);
    }
}
