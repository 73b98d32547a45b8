using AckFc.AlibabaCloud.Sts;
using AckFc.AlibabaCloud.Tests.TestDoubles;

namespace AckFc.AlibabaCloud.Tests.Sts;

public sealed class StsClientTests : IAsyncLifetime
{
    private const string RoleArn = "acs:ram::123456789012:role/ResourceDirectoryAccountAccessRole";

    // The answer documented for AssumeRole, with a token instead of the documentation's mask.
    private const string AssumedSecret = "wyLTSmsyPGP1ohvvw8xYgB29dlGI8KMiH2pK****";
    private const string AssumedToken = "CAIS+member/token==";
    private const string ReferenceAnswer = $$$"""
        {"RequestId":"6894B13B-6D71-4EF5-88FA-F32781734A7F",
         "AssumedRoleUser":{"AssumedRoleId":"34458433936495****:alice","Arn":"acs:ram::123456789012****:role/adminrole/alice"},
         "Credentials":{"SecurityToken":"{{{AssumedToken}}}","AccessKeyId":"STS.L4aBSCSJVMuKg5U1****",
           "AccessKeySecret":"{{{AssumedSecret}}}","Expiration":"2015-04-09T11:52:19Z"}}
        """;

    private AcsTestServer _server = null!;

    public async Task InitializeAsync() => _server = await AcsTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AssumeRoleAsync_ReferenceAnswer_SendsSignedRpcCallAndParsesCredentials()
    {
        _server.Enqueue(ScriptedResponse.Json(ReferenceAnswer));
        await using var harness = ClientHarness.Create(_server);

        var assumed = await harness.Sts.AssumeRoleAsync(ClientHarness.Region, RoleArn, "ackfc-sweep", TimeSpan.FromHours(1));

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("POST", request.Method);
        // Byte for byte what the official SDK sends (the capture in the reference).
        Assert.Equal(
            "/?DurationSeconds=3600&RoleArn=acs%3Aram%3A%3A123456789012%3Arole%2FResourceDirectoryAccountAccessRole&RoleSessionName=ackfc-sweep",
            request.RawTarget);
        Assert.Equal("AssumeRole", request.Header("x-acs-action"));
        Assert.Equal("2015-04-01", request.Header("x-acs-version"));
        Assert.Empty(request.Body);
        Assert.Contains("x-acs-action", request.SignedHeaders);
        Assert.Contains("x-acs-version", request.SignedHeaders);

        Assert.Equal("STS.L4aBSCSJVMuKg5U1****", assumed.Credentials.AccessKeyId);
        Assert.Equal(AssumedSecret, assumed.Credentials.AccessKeySecret);
        Assert.Equal(AssumedToken, assumed.Credentials.SecurityToken);
        Assert.Equal("AssumeRole " + RoleArn, assumed.Credentials.Source);
        Assert.Equal(new DateTimeOffset(2015, 4, 9, 11, 52, 19, TimeSpan.Zero), assumed.Expiration);
        Assert.Equal(new AssumedRoleUser("34458433936495****:alice", "acs:ram::123456789012****:role/adminrole/alice"), assumed.User);
        Assert.Equal("6894B13B-6D71-4EF5-88FA-F32781734A7F", assumed.RequestId);
    }

    [Fact]
    public async Task AssumeRoleAsync_CallerHasStsCredentials_ChainsWithSignedTokenHeaders()
    {
        _server.Enqueue(ScriptedResponse.Json(ReferenceAnswer));
        await using var harness = ClientHarness.Create(_server);
        harness.Invocation.TrySetFromHeaders(AcsTestServer.StsAccessKeyId, AcsTestServer.StsAccessKeySecret, AcsTestServer.StsToken);

        await harness.Sts.AssumeRoleAsync(ClientHarness.Region, RoleArn, "ackfc-sweep", TimeSpan.FromMinutes(15));

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("900", request.Query["DurationSeconds"]);
        Assert.Equal(AcsTestServer.StsToken, request.Header("x-acs-security-token"));
        Assert.Contains("x-acs-security-token", request.SignedHeaders);
    }

    [Fact]
    public void AssumedRole_Formatted_ShowsNeitherSecretNorToken()
    {
        var assumed = new AssumedRole(
            new AckFc.AlibabaCloud.Credentials.AlibabaCloudCredentials("STS.id", AssumedSecret, AssumedToken, "AssumeRole x"),
            DateTimeOffset.UnixEpoch, new AssumedRoleUser("r:s", "arn"), "R");

        var text = assumed.ToString();

        Assert.Contains("STS.id", text, StringComparison.Ordinal);
        Assert.DoesNotContain(AssumedSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(AssumedToken, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "EntityNotExist.Role", "The role not exists: acs:ram::123456789012:role/ResourceDirectoryAccountAccessRole", AlibabaCloudErrorKind.NotFound)]
    [InlineData(400, "EntityNotExist.Role", "The role not exists.", AlibabaCloudErrorKind.NotFound)]
    [InlineData(403, "NoPermission", "No permission perform sts:AssumeRole on this Role. Maybe you are not authorized.", AlibabaCloudErrorKind.ClientError)]
    [InlineData(403, "NoPermission", "Roles may not be assumed by root accounts.", AlibabaCloudErrorKind.ClientError)]
    [InlineData(400, "InvalidParameter.DurationSeconds", "The Min/Max value of DurationSeconds is 15min/1hr.", AlibabaCloudErrorKind.ClientError)]
    [InlineData(400, "MissingSecurityToken", "SecurityToken is mandatory for this action.", AlibabaCloudErrorKind.ClientError)]
    [InlineData(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.", AlibabaCloudErrorKind.ClientError)]
    public async Task AssumeRoleAsync_Refused_ThrowsWithCodeStatusAndRequestIdWithoutRetrying(
        int status, string code, string message, AlibabaCloudErrorKind kind)
    {
        _server.Enqueue(ScriptedResponse.Error(status, code, message, "R-sts-refused"));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(
            () => harness.Sts.AssumeRoleAsync(ClientHarness.Region, RoleArn, "ackfc-sweep", TimeSpan.FromHours(1)));

        Assert.Equal((kind, code, status, "R-sts-refused", "AssumeRole"), (error.Kind, error.Code, error.StatusCode, error.RequestId, error.Action));
        Assert.Equal(message, error.ErrorMessage);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task AssumeRoleAsync_ThrottledEveryTime_RetriesThenThrowsThrottling()
    {
        _server.Fallback = _ => ScriptedResponse.Error(400, "Throttling.Api", "Request was denied due to api flow control.", "R-sts-throttled");
        await using var harness = ClientHarness.Create(_server, s => s["ACKFC_CLOUD_MAX_ATTEMPTS"] = "2");

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(
            () => harness.Sts.AssumeRoleAsync(ClientHarness.Region, RoleArn, "ackfc-sweep", TimeSpan.FromHours(1)));

        Assert.Equal(AlibabaCloudErrorKind.Throttling, error.Kind);
        Assert.Equal(("Throttling.Api", 400, "R-sts-throttled"), (error.Code, error.StatusCode, error.RequestId));
        // Throttling gets twice the configured attempts: the cloud executed none of them.
        Assert.Equal(4, _server.Requests.Count);
    }

    [Fact]
    public async Task AssumeRoleAsync_ThrottledOnce_SucceedsOnRetry()
    {
        _server.Enqueue(ScriptedResponse.Error(400, "Throttling.Api"), ScriptedResponse.Json(ReferenceAnswer));
        await using var harness = ClientHarness.Create(_server);

        var assumed = await harness.Sts.AssumeRoleAsync(ClientHarness.Region, RoleArn, "ackfc-sweep", TimeSpan.FromHours(1));

        Assert.Equal(AssumedToken, assumed.Credentials.SecurityToken);
        Assert.Equal(2, _server.Requests.Count);
        Assert.All(_server.Requests, r => Assert.Null(r.SignatureProblem));
    }

    [Theory]
    [InlineData("""{"RequestId":"R","Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"SECRET-IN-BODY","SecurityToken":"TOKEN-IN-BODY"}}""", "Credentials.Expiration")]
    [InlineData("""{"RequestId":"R","Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"SECRET-IN-BODY","Expiration":"2026-12-03T12:00:00Z"}}""", "Credentials.SecurityToken")]
    [InlineData("""{"RequestId":"R","Credentials":{"AccessKeyId":"STS.x","SecurityToken":"TOKEN-IN-BODY","Expiration":"2026-12-03T12:00:00Z"}}""", "Credentials.AccessKeySecret")]
    [InlineData("""{"RequestId":"R","Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"SECRET-IN-BODY","SecurityToken":"TOKEN-IN-BODY","Expiration":"soon"}}""", "Credentials.Expiration 'soon'")]
    [InlineData("""{"RequestId":"R","AssumedRoleUser":{"Arn":"a"}}""", "Credentials")]
    [InlineData("""{"Credentials":{"AccessKeySecret":"SECRET-IN-BODY","SecurityToken":"TOKEN-IN-BODY" """, "not JSON")]
    public async Task AssumeRoleAsync_MalformedAnswer_NamesTheFieldButNeverQuotesTheBody(string body, string named)
    {
        _server.Enqueue(ScriptedResponse.Json(body));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(
            () => harness.Sts.AssumeRoleAsync(ClientHarness.Region, RoleArn, "ackfc-sweep", TimeSpan.FromHours(1)));

        Assert.Equal("InvalidResponse", error.Code);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-IN-BODY", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("TOKEN-IN-BODY", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRoleAsync_ErrorQuotingTheCallersToken_MasksSecretAndTokenInExceptionAndLogs()
    {
        // An RPC SignatureDoesNotMatch quotes the server's string to sign, the caller's token in it.
        _server.Enqueue(ScriptedResponse.Error(
            400, "SignatureDoesNotMatch",
            $"Specified signature is not matched with our calculation. server string to sign is:{AcsTestServer.StsToken}&{AcsTestServer.StsAccessKeySecret}",
            "R-sig"));
        await using var harness = ClientHarness.Create(_server);
        harness.Invocation.TrySetFromHeaders(AcsTestServer.StsAccessKeyId, AcsTestServer.StsAccessKeySecret, AcsTestServer.StsToken);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(
            () => harness.Sts.AssumeRoleAsync(ClientHarness.Region, RoleArn, "ackfc-sweep", TimeSpan.FromHours(1)));

        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.Contains("***", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AcsTestServer.StsToken, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AcsTestServer.StsAccessKeySecret, error.ToString(), StringComparison.Ordinal);
        var logs = harness.Logs.GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.All(logs, r =>
        {
            Assert.DoesNotContain(AcsTestServer.StsToken, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(AcsTestServer.StsAccessKeySecret, r.Message, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("a")]
    [InlineData("ackfc-0123456789012345678901234567")]
    [InlineData("ackfc sweep")]
    [InlineData("ackfc:sweep")]
    [InlineData("ackfc/sweep")]
    [InlineData("ackfc-swéep")]
    [InlineData("")]
    public async Task AssumeRoleAsync_SessionNameStsRefuses_ThrowsArgumentExceptionWithoutCalling(string sessionName)
    {
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => harness.Sts.AssumeRoleAsync(ClientHarness.Region, RoleArn, sessionName, TimeSpan.FromHours(1)));

        Assert.Equal("sessionName", error.ParamName);
        Assert.Contains("session name", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData(899)]
    [InlineData(3601)]
    [InlineData(0)]
    [InlineData(-900)]
    [InlineData(1000.5)]
    public async Task AssumeRoleAsync_DurationOutOfBounds_ThrowsWithoutCalling(double seconds)
    {
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => harness.Sts.AssumeRoleAsync(ClientHarness.Region, RoleArn, "ackfc-sweep", TimeSpan.FromSeconds(seconds)));

        Assert.Equal("duration", error.ParamName);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("ResourceDirectoryAccountAccessRole")]
    [InlineData("acs:ram::123456789012:user/alice")]
    [InlineData("arn:aws:iam::123456789012:role/x")]
    public async Task AssumeRoleAsync_NotARoleArn_ThrowsWithoutCalling(string roleArn)
    {
        await using var harness = ClientHarness.Create(_server);

        await Assert.ThrowsAsync<ArgumentException>(
            () => harness.Sts.AssumeRoleAsync(ClientHarness.Region, roleArn, "ackfc-sweep", TimeSpan.FromHours(1)));

        Assert.Empty(_server.Requests);
    }
}
