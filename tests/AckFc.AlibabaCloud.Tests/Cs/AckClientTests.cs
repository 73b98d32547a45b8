using System.Text.Json;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Tests.TestDoubles;

namespace AckFc.AlibabaCloud.Tests.Cs;

public sealed class AckClientTests : IAsyncLifetime
{
    private AcsTestServer _server = null!;

    public async Task InitializeAsync() => _server = await AcsTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ListClustersAsync_ThreePages_StreamsEveryClusterWithSignedPagedRequests()
    {
        // Pages after the first are asked for concurrently, so the answer goes by the page the request names.
        _server.Fallback = r => PageFor(r, 250);
        await using var harness = ClientHarness.Create(_server);

        var clusters = await harness.Ack.ListClustersAsync(ClientHarness.Region).ToListAsync();

        Assert.Equal(250, clusters.Count);
        Assert.Equal(250, clusters.Select(c => c.ClusterId).Distinct().Count());
        // Yielded in page order whatever order the answers came in.
        Assert.Equal(Enumerable.Range(1, 3).SelectMany(p => Enumerable.Range(0, p == 3 ? 50 : 100).Select(i => $"c-{p}-{i}")), clusters.Select(c => c.ClusterId));
        var requests = _server.Requests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Null(r.SignatureProblem));
        Assert.All(requests, r =>
        {
            Assert.Equal("GET", r.Method);
            Assert.Equal("/api/v1/clusters", r.Path);
            Assert.Equal("DescribeClustersV1", r.Header("x-acs-action"));
            Assert.Equal("2015-12-15", r.Header("x-acs-version"));
            Assert.Equal(ClientHarness.Region, r.Query["region_id"]);
            Assert.Equal("100", r.Query["page_size"]);
            Assert.Null(r.Header("content-type"));
            Assert.Empty(r.Body);
        });
        Assert.Equal(["1", "2", "3"], requests.Select(r => r.Query["page_number"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListClustersAsync_TenPages_LaterPagesReadConcurrentlyInPageOrderWithNoExtraCall()
    {
        var inFlight = 0;
        var most = 0;
        _server.Fallback = r =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            Thread.Sleep(100);
            Interlocked.Decrement(ref inFlight);
            return PageFor(r, 1000);
        };
        await using var harness = ClientHarness.Create(_server);

        var clusters = await harness.Ack.ListClustersAsync(ClientHarness.Region).ToListAsync();

        Assert.Equal(1000, clusters.Count);
        Assert.Equal(Enumerable.Range(1, 10).SelectMany(p => Enumerable.Range(0, 100).Select(i => $"c-{p}-{i}")), clusters.Select(c => c.ClusterId));
        Assert.Equal(10, _server.Requests.Count);
        Assert.Equal(10, _server.Requests.Select(r => r.Query["page_number"]).Distinct().Count());
        // Page 1 alone (it tells the total), then up to four at a time.
        Assert.InRange(most, 2, 4);
    }

    [Fact]
    public async Task ListClustersAsync_LaterPageFails_ListingFailsWithThatError()
    {
        _server.Fallback = r => r.Query["page_number"] == "3" ? ScriptedResponse.Error(400, "ErrorQueryCluster", "page 3 broke") : PageFor(r, 1000);
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(async () => await harness.Ack.ListClustersAsync(ClientHarness.Region).ToListAsync());

        Assert.Equal("ErrorQueryCluster", error.Code);
        Assert.True(_server.Requests.Count <= 7, $"{_server.Requests.Count} pages were asked for; at most four after page 3 may already be in flight.");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static ScriptedResponse PageFor(RecordedRequest request, int total)
    {
        var number = int.Parse(request.Query["page_number"], System.Globalization.CultureInfo.InvariantCulture);
        return Page(number, total, Math.Clamp(total - ((number - 1) * 100), 0, 100));
    }

    [Fact]
    public async Task ListClustersAsync_EmptyPageBeforeTotal_StopsWithoutLooping()
    {
        _server.Enqueue(Page(1, 1000, 2), Page(2, 1000, 0));
        await using var harness = ClientHarness.Create(_server);

        var clusters = await harness.Ack.ListClustersAsync(ClientHarness.Region).ToListAsync();

        Assert.Equal(2, clusters.Count);
        // Pages 3 to 5 may already be in flight when page 2 answers empty; nothing past them is ever asked for.
        Assert.InRange(_server.Requests.Count, 2, 1 + AckClient.PageConcurrency);
        Assert.DoesNotContain(_server.Requests, r => int.Parse(r.Query["page_number"], System.Globalization.CultureInfo.InvariantCulture) > 1 + AckClient.PageConcurrency);
    }

    [Fact]
    public async Task ListClustersAsync_MetaDataVariants_EachParsedWithoutFailingTheListing()
    {
        var page = new
        {
            clusters = new object?[]
            {
                Cluster("c-on", MetaString(new { Capabilities = new { EncryptionKMSKeyId = "key-on", DisableEncryption = false } })),
                Cluster("c-off-with-key", MetaString(new { Capabilities = new { EncryptionKMSKeyId = "key-old", DisableEncryption = true } })),
                Cluster("c-no-capabilities", MetaString(new { VersionInfo = "1.30" })),
                Cluster("c-empty-key", MetaString(new { Capabilities = new { EncryptionKMSKeyId = "" } })),
                Cluster("c-missing", null),
                Cluster("c-empty", ""),
                Cluster("c-malformed", "{\"Capabilities\":{"),
                Cluster("c-array", "[1,2]"),
            },
            page_info = new { page_number = 1, page_size = 100, total_count = 8 },
            some_future_field = new { nested = true },
        };
        _server.Enqueue(ScriptedResponse.Json(JsonSerializer.Serialize(page)));
        await using var harness = ClientHarness.Create(_server);

        var byId = (await harness.Ack.ListClustersAsync(ClientHarness.Region).ToListAsync()).ToDictionary(c => c.ClusterId);

        Assert.Equal(new ClusterEncryption(EncryptionState.Enabled, "key-on"), byId["c-on"].Encryption);
        Assert.Equal(new ClusterEncryption(EncryptionState.Disabled, "key-old"), byId["c-off-with-key"].Encryption);
        Assert.Equal(ClusterEncryption.Off, byId["c-no-capabilities"].Encryption);
        Assert.Equal(ClusterEncryption.Off, byId["c-empty-key"].Encryption);
        AssertUnknown(byId["c-missing"], "missing");
        AssertUnknown(byId["c-empty"], "empty");
        AssertUnknown(byId["c-malformed"], "not valid JSON");
        AssertUnknown(byId["c-array"], "not an object");
    }

    [Fact]
    public async Task ListClustersAsync_ClusterFields_MappedFromSnakeCase()
    {
        _server.Enqueue(ScriptedResponse.Json("""
            {"clusters":[{"cluster_id":"c-1","name":"prod","region_id":"cn-shanghai","state":"running",
              "cluster_type":"ManagedKubernetes","cluster_spec":"ack.pro.small","profile":"Default",
              "tags":[{"key":"env","value":"prod"},{"key":"team","value":"core"}],
              "meta_data":"{\"Capabilities\":{\"EncryptionKMSKeyId\":\"key-1\"}}",
              "updated":"2024-05-20T14:34:21+08:00","size":3,"vswitch_ids":["vsw-1"]}],
             "page_info":{"page_number":1,"page_size":100,"total_count":1}}
            """));
        await using var harness = ClientHarness.Create(_server);

        var cluster = Assert.Single(await harness.Ack.ListClustersAsync(ClientHarness.Region).ToListAsync());

        Assert.Equal("prod", cluster.Name);
        Assert.Equal("cn-shanghai", cluster.RegionId);
        Assert.Equal("running", cluster.State);
        Assert.Equal("ManagedKubernetes", cluster.ClusterType);
        Assert.Equal("ack.pro.small", cluster.ClusterSpec);
        Assert.Equal("Default", cluster.Profile);
        Assert.Equal(new Dictionary<string, string> { ["env"] = "prod", ["team"] = "core" }, cluster.Tags);
        Assert.Equal(ClusterEncryption.On("key-1"), cluster.Encryption);
        Assert.Equal(new DateTimeOffset(2024, 5, 20, 6, 34, 21, TimeSpan.Zero), cluster.Updated);
        Assert.True(cluster.SupportsSecretEncryption);
    }

    [Fact]
    public async Task GetClusterAsync_IdNeedingEncoding_PathSentAsSignedAndDetailParsed()
    {
        _server.Enqueue(ScriptedResponse.Json(JsonSerializer.Serialize(Cluster("c 1/2*~", "{}"))));
        await using var harness = ClientHarness.Create(_server);

        var cluster = await harness.Ack.GetClusterAsync(ClientHarness.Region, "c 1/2*~");

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("/clusters/c%201%2F2%2A~", request.RawTarget);
        Assert.Equal("DescribeClusterDetail", request.Header("x-acs-action"));
        Assert.Equal("c 1/2*~", cluster.ClusterId);
    }

    [Fact]
    public async Task GetClusterAsync_ClusterNotFoundLowerCaseError_ThrowsNotFoundWithDetails()
    {
        _server.Enqueue(new ScriptedResponse(404, """{"code":"ErrorClusterNotFound","message":"cluster c-x not found","requestId":"R-404"}"""));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-x"));

        Assert.Equal(AlibabaCloudErrorKind.NotFound, error.Kind);
        Assert.Equal("ErrorClusterNotFound", error.Code);
        Assert.Equal("cluster c-x not found", error.ErrorMessage);
        Assert.Equal("R-404", error.RequestId);
        Assert.Equal(404, error.StatusCode);
        Assert.Equal("DescribeClusterDetail", error.Action);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task GetClusterAsync_ThrottledWithRetryAfter_RetriedNoSoonerThanAskedAndResigned()
    {
        _server.Enqueue(
            new ScriptedResponse(400, """{"Code":"Throttling.User","Message":"flow control","RequestId":"R-t"}""",
                Headers: new Dictionary<string, string> { ["x-acs-retry-after"] = "30" }),
            ScriptedResponse.Json(JsonSerializer.Serialize(Cluster("c-1", "{}"))));
        await using var harness = ClientHarness.Create(_server);

        var cluster = await harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1");

        Assert.Equal("c-1", cluster.ClusterId);
        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Null(r.SignatureProblem));
        Assert.NotEqual(requests[0].Header("x-acs-signature-nonce"), requests[1].Header("x-acs-signature-nonce"));
        Assert.NotEqual(requests[0].Header("authorization"), requests[1].Header("authorization"));
        var retry = Assert.Single(harness.Logs.GetSnapshot(), r => r.Message.StartsWith("Retrying", StringComparison.Ordinal));
        // At least the asked 30 ms, spread by up to as much again so calls throttled together do not return together.
        var delay = int.Parse(System.Text.RegularExpressions.Regex.Match(retry.Message, @"in (\d+) ms").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(delay, 30, 60);
        Assert.Contains("DescribeClusterDetail", retry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetClusterAsync_AlwaysThrottled_ThrowsThrottlingAfterTwiceTheAttempts()
    {
        _server.Fallback = _ => new ScriptedResponse(429, """{"Code":"Throttling.Api","Message":"slow down"}""",
            Headers: new Dictionary<string, string> { ["x-acs-retry-after"] = "5" });
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1"));

        Assert.Equal(AlibabaCloudErrorKind.Throttling, error.Kind);
        Assert.Equal(5, error.RetryAfterMilliseconds);
        // The cloud executed none of them, so throttling gets twice the harness's 3 attempts (a 5xx read gets 3, below).
        Assert.Equal(6, _server.Requests.Count);
    }

    [Fact]
    public async Task GetClusterAsync_ServerErrors_ReadRetriedUpToMaxAttempts()
    {
        _server.Fallback = _ => ScriptedResponse.Error(503, "ServiceUnavailable");
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1"));

        Assert.Equal(AlibabaCloudErrorKind.Transient, error.Kind);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task GetClusterAsync_MalformedSuccessBody_ThrowsTransientInvalidResponse()
    {
        _server.Enqueue(ScriptedResponse.Json("<html>gateway page</html>"));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1"));

        Assert.Equal("InvalidResponse", error.Code);
        Assert.Equal(AlibabaCloudErrorKind.Transient, error.Kind);
        Assert.Contains("gateway page", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateKmsEncryptionAsync_Enable_SendsSignedJsonBodyAndReturnsHeaderRequestId()
    {
        _server.Enqueue(new ScriptedResponse(200, string.Empty));
        await using var harness = ClientHarness.Create(_server);

        var requestId = await harness.Ack.UpdateKmsEncryptionAsync(ClientHarness.Region, "c-1", new KmsEncryptionChange("key-1", false));

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/clusters/c-1/kms", request.RawTarget);
        Assert.Equal("UpdateKMSEncryption", request.Header("x-acs-action"));
        Assert.Equal("""{"disable_encryption":false,"kms_key_id":"key-1"}""", request.BodyText);
        Assert.Equal("application/json; charset=utf-8", request.Header("content-type"));
        Assert.Contains("content-type", request.SignedHeaders);
        Assert.Equal("hdr-1", requestId);
    }

    [Fact]
    public async Task UpdateKmsEncryptionAsync_DisableOnly_OmitsKeyIdAndAcceptsAccepted()
    {
        _server.Enqueue(new ScriptedResponse(202, """{"request_id":"body-id"}"""));
        await using var harness = ClientHarness.Create(_server);

        await harness.Ack.UpdateKmsEncryptionAsync(ClientHarness.Region, "c-1", new KmsEncryptionChange(null, true));

        Assert.Equal("""{"disable_encryption":true}""", Assert.Single(_server.Requests).BodyText);
    }

    [Fact]
    public async Task UpdateKmsEncryptionAsync_ServiceUnavailable_NotRetried()
    {
        _server.Fallback = _ => ScriptedResponse.Error(503, "ServiceUnavailable", requestId: "R-503");
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(
            () => harness.Ack.UpdateKmsEncryptionAsync(ClientHarness.Region, "c-1", new KmsEncryptionChange("key-1", false)));

        Assert.Equal(AlibabaCloudErrorKind.Transient, error.Kind);
        Assert.Equal("R-503", error.RequestId);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task UpdateKmsEncryptionAsync_AttemptTimesOut_NotRetried()
    {
        _server.Fallback = _ => new ScriptedResponse(200, string.Empty, Delay: TimeSpan.FromSeconds(30));
        await using var harness = ClientHarness.Create(_server, s => s["ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS"] = "0.3");

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(
            () => harness.Ack.UpdateKmsEncryptionAsync(ClientHarness.Region, "c-1", new KmsEncryptionChange("key-1", false)));

        Assert.Equal(AlibabaCloudErrorKind.Transient, error.Kind);
        Assert.Equal("Timeout", error.Code);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task UpdateKmsEncryptionAsync_Throttled_RetriedResignedAndSucceeds()
    {
        _server.Enqueue(ScriptedResponse.Error(400, "Throttling.User"), new ScriptedResponse(200, string.Empty));
        await using var harness = ClientHarness.Create(_server);

        await harness.Ack.UpdateKmsEncryptionAsync(ClientHarness.Region, "c-1", new KmsEncryptionChange("key-1", false));

        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Null(r.SignatureProblem));
        Assert.All(requests, r => Assert.Equal("""{"disable_encryption":false,"kms_key_id":"key-1"}""", r.BodyText));
        Assert.NotEqual(requests[0].Header("x-acs-signature-nonce"), requests[1].Header("x-acs-signature-nonce"));
    }

    [Fact]
    public async Task UpdateKmsEncryptionAsync_CoolDown409_ThrowsConflict()
    {
        _server.Enqueue(ScriptedResponse.Error(409, "ErrorClusterState"));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(
            () => harness.Ack.UpdateKmsEncryptionAsync(ClientHarness.Region, "c-1", new KmsEncryptionChange("key-1", false)));

        Assert.Equal(AlibabaCloudErrorKind.Conflict, error.Kind);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task UpdateKmsEncryptionAsync_EnableWithoutKey_ThrowsBeforeCalling()
    {
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => harness.Ack.UpdateKmsEncryptionAsync(ClientHarness.Region, "c-1", new KmsEncryptionChange(null, false)));

        Assert.Contains("key id is required", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ListClustersAsync_BadRegion_ThrowsNamingTheValue()
    {
        await using var harness = ClientHarness.Create(_server);

        var error = Assert.Throws<ArgumentException>(() => harness.Ack.ListClustersAsync("cn hangzhou"));

        Assert.Contains("'cn hangzhou'", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ListClustersAsync_EndpointTemplateWithRegionInPath_SignsTheFullPath()
    {
        _server.Enqueue(Page(1, 1, 1));
        await using var harness = ClientHarness.Create(_server, s => s["ACKFC_CS_ENDPOINT"] = _server.Endpoint + "/{region}");

        await harness.Ack.ListClustersAsync("ap-southeast-1").ToListAsync();

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("/ap-southeast-1/api/v1/clusters", request.Path);
        Assert.Equal(_server.BaseUri.Authority, request.Header("host"));
    }

    private static void AssertUnknown(AckCluster cluster, string reason)
    {
        Assert.Equal(EncryptionState.Unknown, cluster.Encryption.State);
        Assert.Contains(reason, cluster.Encryption.Problem, StringComparison.Ordinal);
    }

    private static string MetaString(object value) => JsonSerializer.Serialize(value);

    private static Dictionary<string, object?> Cluster(string id, string? metaData)
    {
        var cluster = new Dictionary<string, object?>
        {
            ["cluster_id"] = id,
            ["name"] = "name-" + id,
            ["region_id"] = ClientHarness.Region,
            ["state"] = "running",
            ["cluster_type"] = "ManagedKubernetes",
            ["cluster_spec"] = "ack.pro.small",
        };
        if (metaData is not null)
        {
            cluster["meta_data"] = metaData;
        }

        return cluster;
    }

    private static ScriptedResponse Page(int number, int total, int count)
    {
        var clusters = Enumerable.Range(0, count).Select(i => Cluster($"c-{number}-{i}", "{}")).ToList();
        return ScriptedResponse.Json(JsonSerializer.Serialize(new
        {
            clusters,
            page_info = new { page_number = number, page_size = 100, total_count = total },
        }));
    }
}
