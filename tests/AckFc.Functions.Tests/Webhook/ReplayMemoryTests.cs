using System.Security.Cryptography;
using System.Text;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Oss;
using AckFc.Core.Reporting;
using AckFc.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace AckFc.Functions.Tests.Webhook;

/// <summary>
/// Issue 12: the replay memory. Per instance on its own; with an OSS report store, a create-only claim in the bucket
/// after the per-instance check, so a signature replayed to another instance is refused too.
/// </summary>
public sealed class ReplayMemoryTests
{
    private const string V1 = "5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
    private static readonly long T = Now.ToUnixTimeSeconds();
    private static readonly ReportStoreOptions Store = new() { Bucket = "ackfc-reports", Prefix = "ackfc/", Region = "cn-hangzhou" };

    private readonly FakeTimeProvider time = new(Now);
    private readonly IOssClient oss = Substitute.For<IOssClient>();
    private readonly FakeLogger<OssReplayMemory> logger = new();

    private static string ExpectedKey => "ackfc/replay/ci/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(V1)));

    private InMemoryReplayMemory Local { get; } = new(new WebhookOptions(), new FakeTimeProvider(Now));

    private OssReplayMemory Shared(TimeSpan? claimTimeout = null) => new(Local, oss, Store, logger, claimTimeout);

    [Fact]
    public async Task InMemory_SameSignatureTwice_SecondIsAReplay()
    {
        var memory = new InMemoryReplayMemory(new WebhookOptions(), time);

        Assert.Equal(ReplayVerdict.New, await memory.RememberAsync("ci", V1, T));
        Assert.Equal(ReplayVerdict.Replay, await memory.RememberAsync("ci", V1, T));
        Assert.Equal(ReplayVerdict.New, await memory.RememberAsync("other", V1, T));
    }

    [Fact]
    public async Task InMemory_Forget_TheSameSignatureIsNewAgain()
    {
        var memory = new InMemoryReplayMemory(new WebhookOptions(), time);
        await memory.RememberAsync("ci", V1, T);

        memory.Forget("ci", V1, T);

        Assert.Equal(0, memory.Remembered);
        Assert.Equal(ReplayVerdict.New, await memory.RememberAsync("ci", V1, T));
    }

    [Fact]
    public async Task Oss_NewSignature_CreateOnlyPutOfItsReplayKey()
    {
        Assert.Equal(ReplayVerdict.New, await Shared().RememberAsync("ci", V1, T));

        await oss.Received(1).PutObjectAsync(
            Arg.Is<OssBucket>(b => b.Name == "ackfc-reports" && b.Region == "cn-hangzhou"),
            ExpectedKey,
            Arg.Any<OssContent>(),
            Arg.Is<OssPutOptions>(o => o.ForbidOverwrite && o.Metadata != null && o.Metadata.ContainsKey("claim")),
            Arg.Any<CancellationToken>());
        Assert.Equal(1, Local.Remembered);
    }

    [Fact]
    public async Task Oss_AnotherInstanceClaimedIt_ReplayAndRememberedHereToo()
    {
        oss.PutObjectAsync(default!, default!, default!, default, default)
            .ThrowsAsyncForAnyArgs(new AlibabaCloudException(AlibabaCloudErrorKind.Conflict, "FileAlreadyExists", "exists", 409, "req-1", "PutObject"));
        oss.HeadObjectAsync(default!, default!, default, default)
            .ReturnsForAnyArgs(new OssObjectInfo(ExpectedKey, "\"e\"", 4, Now, "text/plain", new Dictionary<string, string> { ["claim"] = "someone-else" }));
        var memory = Shared();

        Assert.Equal(ReplayVerdict.Replay, await memory.RememberAsync("ci", V1, T));
        // The next replay to this instance stops at its own memory: no second cloud call.
        Assert.Equal(ReplayVerdict.Replay, await memory.RememberAsync("ci", V1, T));
        await oss.ReceivedWithAnyArgs(1).PutObjectAsync(default!, default!, default!, default, default);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Oss_409ButTheObjectCarriesThisClaim_New()
    {
        // The client retried a put whose first attempt landed and whose answer was lost: that is not a replay.
        string? nonce = null;
        oss.PutObjectAsync(default!, default!, default!, default, default).ReturnsForAnyArgs<Task<string?>>(call =>
        {
            nonce = call.Arg<OssPutOptions>().Metadata!["claim"];
            throw new AlibabaCloudException(AlibabaCloudErrorKind.Conflict, "FileAlreadyExists", "exists", 409, "req-2", "PutObject");
        });
        oss.HeadObjectAsync(default!, default!, default, default).ReturnsForAnyArgs(_ =>
            new OssObjectInfo(ExpectedKey, "\"e\"", 4, Now, "text/plain", new Dictionary<string, string> { ["claim"] = nonce! }));

        Assert.Equal(ReplayVerdict.New, await Shared().RememberAsync("ci", V1, T));
    }

    [Fact]
    public async Task Oss_Fails_UnavailableForgottenHereAndOneWarningNamingTheStore()
    {
        oss.PutObjectAsync(default!, default!, default!, default, default)
            .ThrowsAsyncForAnyArgs(new AlibabaCloudException(AlibabaCloudErrorKind.Transient, "ServiceUnavailable", "Please try again.", 503, "req-3", "PutObject"));
        var memory = Shared();

        Assert.Equal(ReplayVerdict.Unavailable, await memory.RememberAsync("ci", V1, T));

        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Contains("oss://ackfc-reports/ackfc/replay/", warning.Message, StringComparison.Ordinal);
        Assert.Contains("503 ServiceUnavailable", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(V1, warning.Message, StringComparison.Ordinal);
        // Nothing was done, so the same request may come again once OSS answers.
        Assert.Equal(0, Local.Remembered);
        oss.PutObjectAsync(default!, default!, default!, default, default).ReturnsForAnyArgs("\"etag\"");
        Assert.Equal(ReplayVerdict.New, await memory.RememberAsync("ci", V1, T));
    }

    [Fact]
    public async Task Oss_NoAnswer_UnavailableWithinTheClaimTimeout()
    {
        oss.PutObjectAsync(default!, default!, default!, default, default).ReturnsForAnyArgs(async call =>
        {
            await Task.Delay(Timeout.Infinite, call.Arg<CancellationToken>());
            return (string?)null;
        });

        var verdict = await Shared(TimeSpan.FromMilliseconds(200)).RememberAsync("ci", V1, T).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ReplayVerdict.Unavailable, verdict);
        Assert.Contains("no answer within 0.2 s", Assert.Single(logger.Collector.GetSnapshot()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oss_SeenOnThisInstance_ReplayWithoutAskingOss()
    {
        await Local.RememberAsync("ci", V1, T);

        Assert.Equal(ReplayVerdict.Replay, await Shared().RememberAsync("ci", V1, T));
        await oss.DidNotReceiveWithAnyArgs().PutObjectAsync(default!, default!, default!, default, default);
    }

    [Fact]
    public async Task Authenticator_ReplayAndUnavailable_401And503()
    {
        var secret = new string('s', 40);
        var options = WebhookSettings.Options(new() { ["ACKFC_WEBHOOK_SECRETS"] = "ci:" + secret });
        var memory = Substitute.For<IReplayMemory>();
        var auth = new WebhookAuthenticator(options, time, memory);
        var header = Core.Signatures.AckFcSignature.Create("ci", secret, T, "GET", "/p", []);

        memory.RememberAsync("ci", Arg.Any<string>(), T, Arg.Any<CancellationToken>()).Returns(ReplayVerdict.Replay);
        var replay = await auth.VerifyAsync(header, "GET", "/p", []);
        memory.RememberAsync("ci", Arg.Any<string>(), T, Arg.Any<CancellationToken>()).Returns(ReplayVerdict.Unavailable);
        var unavailable = await auth.VerifyAsync(header, "GET", "/p", []);

        Assert.Equal((null, WebhookAuthenticator.ReplayProblem, false), (replay.KeyId, replay.Problem, replay.RetryLater));
        Assert.Equal((null, WebhookAuthenticator.ReplayMemoryUnavailableProblem, true), (unavailable.KeyId, unavailable.Problem, unavailable.RetryLater));
    }

    [Fact]
    public async Task Authenticator_ForgedSignature_NeverReachesTheMemory()
    {
        var options = WebhookSettings.Options(new() { ["ACKFC_WEBHOOK_SECRETS"] = "ci:" + new string('s', 40) });
        var memory = Substitute.For<IReplayMemory>();
        var header = Core.Signatures.AckFcSignature.Create("ci", new string('x', 40), T, "GET", "/p", []);

        Assert.Null((await new WebhookAuthenticator(options, time, memory).VerifyAsync(header, "GET", "/p", [])).KeyId);
        await memory.DidNotReceiveWithAnyArgs().RememberAsync(default!, default!, default, default);
    }

    [Theory]
    [InlineData("oss://ackfc-reports/ackfc", typeof(OssReplayMemory))]
    [InlineData(null, typeof(InMemoryReplayMemory))]
    [InlineData("/mnt/reports", typeof(InMemoryReplayMemory))]
    public void AddAckFcWebhook_TheReportStoreChoosesTheMemory(string? store, Type expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ACKFC_REGIONS"] = "cn-hangzhou",
            [ReportStoreOptions.Variable] = store,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddAlibabaCloud(configuration);
        services.AddAckFcReporting(configuration).AddAckFcWebhook(configuration);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        using var scope = provider.CreateScope();

        Assert.IsType(expected, scope.ServiceProvider.GetRequiredService<IReplayMemory>());
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<WebhookAuthenticator>());
    }

    [Fact]
    public void StartLine_SaysWhichMemory()
    {
        Assert.StartsWith("shared on oss://ackfc-reports/ackfc/replay/", ReplayMemoryStartLine.Describe(Store), StringComparison.Ordinal);
        Assert.StartsWith("per instance", ReplayMemoryStartLine.Describe(new ReportStoreOptions()), StringComparison.Ordinal);
    }
}
