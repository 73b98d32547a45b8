using System.Text.Json;
using AckFc.Local.Emulator;

namespace AckFc.Local.Tests.Emulator;

public sealed class FaultTests
{
    [Theory]
    [InlineData(400)]
    [InlineData(429)]
    public async Task Throttle_OverQpsLimit_ThrottlingUserWithRetryAfter(int statusCode)
    {
        await using var emulator = await TestEmulator.StartAsync();
        emulator.State.Faults.Set("DescribeKey", new FaultProfile { QpsLimit = 1, ThrottleStatusCode = statusCode, RetryAfterMilliseconds = 1500 });
        using var client = new SignedClient(emulator);

        var first = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-prod")));
        var second = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-prod")));
        var otherAction = await client.SendJsonAsync(SignedRequest.Kms("ListKeys"));

        Assert.Equal(200, first.Status);
        Assert.Equal(statusCode, second.Status);
        Assert.Equal("Throttling.User", second.Body.GetProperty("Code").GetString());
        Assert.Equal("1500", second.Response.Headers.Value("x-acs-retry-after"));
        Assert.Equal(200, otherAction.Status);
    }

    [Fact]
    public async Task Throttle_CsWithoutFixedRetryAfter_AsksToWaitForTheNextSecond()
    {
        await using var emulator = await TestEmulator.StartAsync();
        emulator.State.Faults.Set(FaultSettings.AllActions, new FaultProfile { QpsLimit = 0 });
        using var client = new SignedClient(emulator);

        var (status, body, response) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters"));

        Assert.Equal(400, status);
        Assert.Equal("Throttling.User", body.GetProperty("code").GetString());
        Assert.Equal("1000", response.Headers.Value("x-acs-retry-after"));
    }

    [Fact]
    public async Task ServiceUnavailable_RateOne_503EveryTime()
    {
        await using var emulator = await TestEmulator.StartAsync();
        emulator.State.Faults.Set("DescribeClusterDetail", new FaultProfile { ServiceUnavailableRate = 1 });
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-hz-payments"));

        Assert.Equal(503, status);
        Assert.Equal("ServiceUnavailable", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task MalformedBody_RateOne_200WithBodyThatIsNotJson()
    {
        await using var emulator = await TestEmulator.StartAsync();
        emulator.State.Faults.Set("DescribeKey", new FaultProfile { MalformedBodyRate = 1 });
        using var client = new SignedClient(emulator);

        var response = await client.SendAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-prod")));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task TruncatedBody_RateOne_HalfOfTheJson()
    {
        await using var emulator = await TestEmulator.StartAsync();
        emulator.State.Faults.Set("ListKeys", new FaultProfile { TruncatedBodyRate = 1 });
        using var client = new SignedClient(emulator);

        var response = await client.SendAsync(SignedRequest.Kms("ListKeys"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("{\"RequestId\":", text, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task Hang_ClientGivesUp_NoAnswerAndCallLogged()
    {
        await using var emulator = await TestEmulator.StartAsync();
        emulator.State.Faults.Set("DescribeKey", new FaultProfile { HangRate = 1, HangMilliseconds = 60_000 });
        using var client = new SignedClient(emulator, timeout: TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => client.SendAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-prod"))));
        var logged = await WaitForAsync(() => emulator.State.GetCalls().Any(c => c.Action == "DescribeKey"));

        Assert.True(logged);
        Assert.Equal(0, emulator.State.GetCalls().Single(c => c.Action == "DescribeKey").Status);
    }

    [Fact]
    public async Task Latency_LongerThanClientTimeout_ClientGivesUpOtherActionsUnaffected()
    {
        await using var emulator = await TestEmulator.StartAsync();
        emulator.State.Faults.Set("DescribeKey", new FaultProfile { LatencyMilliseconds = 60_000 });
        using var client = new SignedClient(emulator, timeout: TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => client.SendAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-prod"))));
        using var patient = new SignedClient(emulator);
        var other = await patient.SendJsonAsync(SignedRequest.Kms("ListKeys"));

        Assert.Equal(200, other.Status);
    }

    [Fact]
    public async Task Faults_SameSeed_SameSequence()
    {
        async Task<List<int>> RunAsync()
        {
            await using var emulator = await TestEmulator.StartAsync(configure: o => o.Seed = 42);
            emulator.State.Faults.Set("ListKeys", new FaultProfile { ServiceUnavailableRate = 0.5 });
            using var client = new SignedClient(emulator);
            var statuses = new List<int>();
            for (var i = 0; i < 20; i++)
            {
                statuses.Add((await client.SendJsonAsync(SignedRequest.Kms("ListKeys"))).Status);
            }

            return statuses;
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.Contains(503, first);
        Assert.Contains(200, first);
    }

    [Fact]
    public async Task FailCount_TheNextNRequestsOfTheTargetFail_ThenTheyPass()
    {
        await using var emulator = await TestEmulator.StartAsync();
        emulator.State.Faults.Set("DescribeClusterDetail", new FaultProfile
        {
            FailCount = 2, FailStatusCode = 500, FailErrorCode = "InternalError", TargetContains = "c-demo-hz-payments",
        });
        using var client = new SignedClient(emulator);

        var other = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-hz-analytics"));
        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-hz-payments"))).Status);
        }

        Assert.Equal(200, other.Status);
        Assert.Equal([500, 500, 200], statuses);
        Assert.Equal(2, emulator.State.GetCalls().Count(c => c.ErrorCode == "InternalError"));
    }

    [Theory]
    [InlineData(1.5, 400)]
    [InlineData(0.5, 418)]
    public void Set_InvalidProfile_RefusedNamingTheField(double rate, int throttleStatus)
    {
        var faults = new FaultSettings(1);

        var ex = Assert.Throws<ArgumentException>(() =>
            faults.Set("DescribeKey", new FaultProfile { ServiceUnavailableRate = rate, ThrottleStatusCode = throttleStatus }));

        Assert.Contains(rate > 1 ? "serviceUnavailableRate" : "throttleStatusCode", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 503, "failCount")]
    [InlineData(1, 200, "failStatusCode")]
    public void Set_InvalidFailCountProfile_RefusedNamingTheField(int count, int status, string field)
    {
        var faults = new FaultSettings(1);

        var ex = Assert.Throws<ArgumentException>(() => faults.Set("PutObject", new FaultProfile { FailCount = count, FailStatusCode = status }));

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        return condition();
    }
}
