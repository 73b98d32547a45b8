using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AckFc.Local.Emulator;

namespace AckFc.Local.Tests.Emulator;

public sealed class AdminApiTests
{
    private static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task State_Unsigned_ListsFleetWithHarmFlags()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        var state = await JsonOf(await http.GetAsync("/_emulator/state"));

        Assert.Equal(3, state.GetProperty("regions").GetArrayLength());
        var batch = state.GetProperty("clusters").EnumerateArray().Single(c => c.GetProperty("clusterId").GetString() == "c-demo-hz-batch");
        Assert.False(batch.GetProperty("secretsReadable").GetBoolean());
        Assert.Equal("unavailable", batch.GetProperty("state").GetString());
        Assert.Contains(state.GetProperty("keys").EnumerateArray(), k => k.GetProperty("creatorType").GetString() == "Service");
    }

    [Fact]
    public async Task Calls_AfterApiCalls_LogAndCountersThenReset()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);
        await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-sh-web")));
        await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-missing"));

        var calls = await JsonOf(await client.Http.GetAsync("/_emulator/calls"));
        await client.Http.PostAsync("/_emulator/reset", null);

        var log = calls.GetProperty("calls").EnumerateArray().ToList();
        Assert.Equal(2, log.Count);
        Assert.Equal("DescribeKey", log[0].GetProperty("action").GetString());
        Assert.Equal("cn-shanghai", log[0].GetProperty("regionId").GetString());
        Assert.Equal("KMS", log[0].GetProperty("product").GetString());
        Assert.Equal(404, log[1].GetProperty("status").GetInt32());
        Assert.Equal("ErrorClusterNotFound", log[1].GetProperty("errorCode").GetString());
        Assert.Equal(1, calls.GetProperty("counters").GetProperty("DescribeClusterDetail").GetInt64());
        Assert.Empty(emulator.State.GetCalls());
        Assert.Equal(0, emulator.State.CountOf("DescribeKey"));
    }

    [Fact]
    public async Task Keys_DisableAndScheduleDeletion_ShowHarmThroughTheApi()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var disable = await client.Http.PostAsync("/_emulator/keys/key-demo-sh-web/disable", null);
        var schedule = await client.Http.PostAsync("/_emulator/keys/alias%2Fackfc-prod-hz/schedule-deletion?days=3", null);
        var (_, web, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-sh-web"));
        var (_, prod, _) = await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-prod")));

        Assert.Equal(200, (int)disable.StatusCode);
        Assert.Equal(200, (int)schedule.StatusCode);
        Assert.Equal("unavailable", web.GetProperty("state").GetString());
        Assert.Equal("PendingDeletion", prod.GetProperty("KeyMetadata").GetProperty("KeyState").GetString());
        Assert.Equal("unavailable", emulator.State.GetCluster("c-demo-hz-payments")!.State);
    }

    [Fact]
    public async Task Faults_PutThenDelete_AppliedAndCleared()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var put = await client.Http.PutAsync("/_emulator/faults",
            new StringContent("""{"ListKeys": {"serviceUnavailableRate": 1}}""", Encoding.UTF8, "application/json"));
        var failing = await client.SendJsonAsync(SignedRequest.Kms("ListKeys"));
        await client.Http.DeleteAsync("/_emulator/faults");
        var healthy = await client.SendJsonAsync(SignedRequest.Kms("ListKeys"));

        Assert.Equal(200, (int)put.StatusCode);
        Assert.Equal(503, failing.Status);
        Assert.Equal(200, healthy.Status);
    }

    [Theory]
    [InlineData("""{"ListKeys": {"hangRate": 2}}""", "hangRate")]
    [InlineData("""{"ListKeys": {"colour": "red"}}""", "colour")]
    public async Task Faults_BadBody_400NamingTheProblem(string body, string named)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        var response = await http.PutAsync("/_emulator/faults", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = await JsonOf(response);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(named, error.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clusters_AddAndDelete_VisibleThroughDescribeClusters()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var added = await client.Http.PostAsJsonAsync("/_emulator/clusters",
            new[] { new { clusterId = "c-added", regionId = "cn-hangzhou", clusterSpec = "ack.pro.small" } });
        var listed = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-added"));
        var deleted = await client.Http.DeleteAsync("/_emulator/clusters/c-demo-hz-payments");
        var gone = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-hz-payments"));
        var badRegion = await client.Http.PostAsJsonAsync("/_emulator/clusters", new { clusterId = "c-x", regionId = "mars-1" });

        Assert.Equal(200, (int)added.StatusCode);
        Assert.Equal(200, listed.Status);
        Assert.Equal(200, (int)deleted.StatusCode);
        Assert.Equal(404, gone.Status);
        Assert.Equal(400, (int)badRegion.StatusCode);
        Assert.Contains("mars-1", (await JsonOf(badRegion)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_Put_ChangesUpdatingAndCoolDown()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        var response = await http.PutAsync("/_emulator/settings", new StringContent("""{"updatingSeconds": 0, "coolDownSeconds": 60}""", Encoding.UTF8, "application/json"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(TimeSpan.Zero, emulator.State.UpdatingDuration);
        Assert.Equal(TimeSpan.FromMinutes(1), emulator.State.CoolDown);
    }

    [Fact]
    public async Task Fleet_Reset_UndoesChanges()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        emulator.State.DeleteKey("key-demo-hz-prod");

        var response = await http.PostAsync("/_emulator/fleet/reset", null);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.NotNull(emulator.State.GetKey("alias/ackfc-prod-hz"));
    }

    [Fact]
    public async Task Unknown_Endpoint_404SayingWhereTheDocsAre()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        var response = await http.GetAsync("/_emulator/nothing");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Contains("docs/emulator.md", (await JsonOf(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
