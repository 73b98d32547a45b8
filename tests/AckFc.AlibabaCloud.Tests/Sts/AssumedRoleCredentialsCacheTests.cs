using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Sts;
using AckFc.AlibabaCloud.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace AckFc.AlibabaCloud.Tests.Sts;

public sealed class AssumedRoleCredentialsCacheTests
{
    private const string Account = "123456789012";
    private const string Role = "AckFcAuditRole";
    private const string Arn = "acs:ram::123456789012:role/AckFcAuditRole";

    private static readonly AssumeRoleSession Session = AssumeRoleSession.ForSweep("cn-hangzhou", "sweep-1");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 3, 0, 0, TimeSpan.Zero));
    private readonly IStsClient _sts = Substitute.For<IStsClient>();
    private int _issued;

    [Fact]
    public async Task GetAsync_FirstCall_AssumesTheMemberRoleWithTheSweepsSessionForAnHour()
    {
        Answer(TimeSpan.FromHours(1));
        var cache = Create();

        var assumed = await cache.GetAsync(Account, Role, Session);

        await _sts.Received(1).AssumeRoleAsync("cn-hangzhou", Arn, "ackfc-sweep-1", TimeSpan.FromHours(1), Arg.Any<CancellationToken>());
        Assert.Equal("STS.key-1", assumed.Credentials.AccessKeyId);
    }

    [Fact]
    public async Task GetAsync_AskedAgainWhileFresh_ReusesWithoutCalling()
    {
        Answer(TimeSpan.FromHours(1));
        var cache = Create();

        var first = await cache.GetAsync(Account, Role, Session);
        _time.Advance(TimeSpan.FromMinutes(30));
        var second = await cache.GetAsync(Account, Role, Session);

        Assert.Same(first, second);
        await _sts.Received(1).AssumeRoleAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<string>(), Arg.Any<TimeSpan>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task GetAsync_WithinTheMarginBeforeExpiration_Refreshes()
    {
        Answer(TimeSpan.FromHours(1));
        var cache = Create();
        var first = await cache.GetAsync(Account, Role, Session);

        // One second before the margin begins: still the same credentials.
        _time.Advance(TimeSpan.FromHours(1) - AssumedRoleCredentialsCache.RefreshMargin - TimeSpan.FromSeconds(1));
        Assert.Same(first, await cache.GetAsync(Account, Role, Session));

        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await cache.GetAsync(Account, Role, Session);

        Assert.Equal("STS.key-2", second.Credentials.AccessKeyId);
        Assert.True(second.Expiration > first.Expiration);
        Assert.Same(second, await cache.GetAsync(Account, Role, Session));
        Assert.Equal(2, _issued);
    }

    [Fact]
    public void RefreshMargin_Documented_FiveMinutes() => Assert.Equal(TimeSpan.FromMinutes(5), AssumedRoleCredentialsCache.RefreshMargin);

    [Fact]
    public async Task GetAsync_ShortLivedCredentials_RefreshedAtHalfTheirLife()
    {
        // STS granted four minutes only: a five-minute margin would make every call assume the role again.
        Answer(TimeSpan.FromMinutes(4));
        var cache = Create();
        var first = await cache.GetAsync(Account, Role, Session);

        _time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.Same(first, await cache.GetAsync(Account, Role, Session));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotSame(first, await cache.GetAsync(Account, Role, Session));
        Assert.Equal(2, _issued);
    }

    [Fact]
    public async Task GetAsync_ConcurrentCallersForOneKey_ShareOneCall()
    {
        var pending = new TaskCompletionSource<AssumedRole>(TaskCreationOptions.RunContinuationsAsynchronously);
        _sts.AssumeRoleAsync(default!, default!, default!, default, default).ReturnsForAnyArgs(_ =>
        {
            Interlocked.Increment(ref _issued);
            return pending.Task;
        });
        var cache = Create();

        var waiting = Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => cache.GetAsync(Account, Role, Session)))
            .ToList();
        await Task.Delay(50);
        Assert.All(waiting, t => Assert.False(t.IsCompleted));
        var answer = Assumed(1, TimeSpan.FromHours(1));
        pending.SetResult(answer);
        var results = await Task.WhenAll(waiting);

        Assert.Equal(1, _issued);
        Assert.All(results, r => Assert.Same(answer, r));
    }

    [Fact]
    public async Task GetAsync_OtherAccountOrRole_AssumedSeparately()
    {
        Answer(TimeSpan.FromHours(1));
        var cache = Create();

        var a = await cache.GetAsync(Account, Role, Session);
        var b = await cache.GetAsync("210987654321", Role, Session);
        var c = await cache.GetAsync(Account, "OtherRole", Session);

        Assert.Equal(3, new[] { a.Credentials.AccessKeyId, b.Credentials.AccessKeyId, c.Credentials.AccessKeyId }.Distinct().Count());
        await _sts.Received(1).AssumeRoleAsync("cn-hangzhou", "acs:ram::210987654321:role/AckFcAuditRole", "ackfc-sweep-1", Arg.Any<TimeSpan>(), Arg.Any<CancellationToken>());
        await _sts.Received(1).AssumeRoleAsync("cn-hangzhou", "acs:ram::123456789012:role/OtherRole", "ackfc-sweep-1", Arg.Any<TimeSpan>(), Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(AlibabaCloudErrorKind.ClientError, "NoPermission", 403)]
    [InlineData(AlibabaCloudErrorKind.NotFound, "EntityNotExist.Role", 404)]
    public async Task GetAsync_Refused_RemembersTheRefusalBrieflyThenAsksAgain(AlibabaCloudErrorKind kind, string code, int status)
    {
        _sts.AssumeRoleAsync(default!, default!, default!, default, default).ThrowsAsyncForAnyArgs(_ =>
        {
            Interlocked.Increment(ref _issued);
            return new AlibabaCloudException(kind, code, "refused", status, "R-refused", "AssumeRole");
        });
        var cache = Create();

        var first = await Assert.ThrowsAsync<AlibabaCloudException>(() => cache.GetAsync(Account, Role, Session));
        _time.Advance(AssumedRoleCredentialsCache.RefusalMemory - TimeSpan.FromSeconds(1));
        var second = await Assert.ThrowsAsync<AlibabaCloudException>(() => cache.GetAsync(Account, Role, Session));
        Assert.Equal(1, _issued);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<AlibabaCloudException>(() => cache.GetAsync(Account, Role, Session));

        Assert.Equal((code, status, "R-refused"), (second.Code, second.StatusCode, second.RequestId));
        Assert.Equal(first.Code, second.Code);
        Assert.Equal(2, _issued);
    }

    [Theory]
    [InlineData(AlibabaCloudErrorKind.Throttling, "Throttling.Api")]
    [InlineData(AlibabaCloudErrorKind.Transient, "Timeout")]
    public async Task GetAsync_ThrottledOrTransient_NotRememberedNextCallerAsksAgain(AlibabaCloudErrorKind kind, string code)
    {
        var calls = 0;
        _sts.AssumeRoleAsync(default!, default!, default!, default, default).ReturnsForAnyArgs(_ => ++calls == 1
            ? Task.FromException<AssumedRole>(new AlibabaCloudException(kind, code, "try later"))
            : Task.FromResult(Assumed(2, TimeSpan.FromHours(1))));
        var cache = Create();

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => cache.GetAsync(Account, Role, Session));
        var assumed = await cache.GetAsync(Account, Role, Session);

        Assert.Equal(code, error.Code);
        Assert.Equal("STS.key-2", assumed.Credentials.AccessKeyId);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task GetAsync_OneWaiterCancels_OthersStillGetTheSharedResult()
    {
        var pending = new TaskCompletionSource<AssumedRole>(TaskCreationOptions.RunContinuationsAsynchronously);
        _sts.AssumeRoleAsync(default!, default!, default!, default, default).ReturnsForAnyArgs(pending.Task);
        var cache = Create();
        using var impatient = new CancellationTokenSource();

        var cancelled = cache.GetAsync(Account, Role, Session, impatient.Token);
        var patient = cache.GetAsync(Account, Role, Session);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        pending.SetResult(Assumed(1, TimeSpan.FromHours(1)));

        Assert.Equal("STS.key-1", (await patient).Credentials.AccessKeyId);
        await _sts.Received(1).AssumeRoleAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<string>(), Arg.Any<TimeSpan>(), CancellationToken.None);
    }

    [Fact]
    public async Task GetAsync_BadAccountOrSession_ThrowsArgumentExceptionWithoutCalling()
    {
        var cache = Create();

        await Assert.ThrowsAsync<ArgumentException>(() => cache.GetAsync("not-an-account", Role, Session));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.GetAsync(Account, Role, Session with { SessionName = "x" }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cache.GetAsync(Account, Role, Session with { Duration = TimeSpan.FromHours(2) }));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.GetAsync(Account, Role, Session with { RegionId = "hangzhou" }));

        Assert.Empty(_sts.ReceivedCalls());
    }

    [Fact]
    public async Task GetAsync_ThroughTheRealClient_OneAssumeRoleOnTheWireAndNoSecretInTheLogs()
    {
        await using var server = await AcsTestServer.StartAsync();
        const string secret = "assumed-secret-value";
        const string token = "assumed+token/value==";
        server.Enqueue(ScriptedResponse.Json($$$"""
            {"RequestId":"R-assume","AssumedRoleUser":{"AssumedRoleId":"3445:ackfc-sweep-1","Arn":"acs:ram::123456789012:role/ackfcauditrole/ackfc-sweep-1"},
             "Credentials":{"AccessKeyId":"STS.member","AccessKeySecret":"{{{secret}}}","SecurityToken":"{{{token}}}","Expiration":"2099-01-01T00:00:00Z"}}
            """));
        await using var harness = ClientHarness.Create(server);
        var cache = harness.Services.GetRequiredService<IAssumedRoleCredentialsCache>();

        var first = await cache.GetAsync(Account, Role, Session);
        var second = await cache.GetAsync(Account, Role, Session);

        Assert.Same(first, second);
        var request = Assert.Single(server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("AssumeRole", request.Header("x-acs-action"));
        Assert.Equal(Arn, request.Query["RoleArn"]);
        Assert.Equal("ackfc-sweep-1", request.Query["RoleSessionName"]);
        Assert.Equal(token, first.Credentials.SecurityToken);
        var logs = harness.Logs.GetSnapshot();
        Assert.Contains(logs, r => r.Level == LogLevel.Information && r.Message.Contains(Arn, StringComparison.Ordinal)
            && r.Message.Contains("ackfc-sweep-1", StringComparison.Ordinal));
        Assert.All(logs, r =>
        {
            Assert.DoesNotContain(secret, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(token, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, string.Join(' ', r.StructuredState?.Select(s => s.Value) ?? []), StringComparison.Ordinal);
            Assert.DoesNotContain(token, string.Join(' ', r.StructuredState?.Select(s => s.Value) ?? []), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AddAlibabaCloud_Cache_ScopedOnePerInvocation()
    {
        await using var harness = ClientHarness.Create("http://127.0.0.1:9");
        var root = harness.Services.GetRequiredService<IServiceScopeFactory>();
        await using var other = root.CreateAsyncScope();

        Assert.Same(harness.Services.GetRequiredService<IAssumedRoleCredentialsCache>(), harness.Services.GetRequiredService<IAssumedRoleCredentialsCache>());
        Assert.NotSame(harness.Services.GetRequiredService<IAssumedRoleCredentialsCache>(), other.ServiceProvider.GetRequiredService<IAssumedRoleCredentialsCache>());
    }

    private AssumedRoleCredentialsCache Create() => new(_sts, _time, NullLogger<AssumedRoleCredentialsCache>.Instance);

    // Every call issues new credentials valid for `life` from the fake now.
    private void Answer(TimeSpan life) =>
        _sts.AssumeRoleAsync(default!, default!, default!, default, default).ReturnsForAnyArgs(_ =>
            Task.FromResult(Assumed(Interlocked.Increment(ref _issued), life)));

    private AssumedRole Assumed(int n, TimeSpan life) => new(
        new AlibabaCloudCredentials($"STS.key-{n}", $"secret-{n}", $"token-{n}", StsClient.SourcePrefix + Arn),
        _time.GetUtcNow() + life,
        new AssumedRoleUser($"3445:ackfc-sweep-1", $"acs:ram::{Account}:role/{Role}/ackfc-sweep-1"),
        $"R-{n}");
}
