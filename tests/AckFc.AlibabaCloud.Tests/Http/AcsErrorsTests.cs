using System.Net;
using System.Net.Sockets;
using System.Text;
using AckFc.AlibabaCloud.Http;
using AckFc.AlibabaCloud.Signing;
using AckFc.AlibabaCloud.Tests.TestDoubles;

namespace AckFc.AlibabaCloud.Tests.Http;

public sealed class AcsErrorsTests : IAsyncLifetime
{
    private AcsTestServer _server = null!;

    public async Task InitializeAsync() => _server = await AcsTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(400, "Throttling", AlibabaCloudErrorKind.Throttling)]
    [InlineData(400, "Throttling.User", AlibabaCloudErrorKind.Throttling)]
    [InlineData(503, "Rejected.Throttling", AlibabaCloudErrorKind.Throttling)]
    [InlineData(429, "Anything", AlibabaCloudErrorKind.Throttling)]
    [InlineData(500, "InternalError", AlibabaCloudErrorKind.Transient)]
    [InlineData(503, "ServiceUnavailable", AlibabaCloudErrorKind.Transient)]
    [InlineData(404, "Whatever", AlibabaCloudErrorKind.NotFound)]
    [InlineData(400, "Forbidden.KeyNotFound", AlibabaCloudErrorKind.NotFound)]
    [InlineData(404, "Forbidden.AliasNotFound", AlibabaCloudErrorKind.NotFound)]
    [InlineData(400, "ErrorClusterNotFound", AlibabaCloudErrorKind.NotFound)]
    [InlineData(400, "Forbidden.ResourceNotFound", AlibabaCloudErrorKind.NotFound)]
    [InlineData(404, "InvalidAccessKeyId.NotFound", AlibabaCloudErrorKind.ClientError)]
    [InlineData(409, "Rejected.PendingDeletion", AlibabaCloudErrorKind.Conflict)]
    [InlineData(400, "InvalidParameter", AlibabaCloudErrorKind.ClientError)]
    [InlineData(403, "Forbidden.RAM", AlibabaCloudErrorKind.ClientError)]
    [InlineData(404, "EntityNotExist.Role", AlibabaCloudErrorKind.NotFound)]
    [InlineData(400, "EntityNotExist.Role", AlibabaCloudErrorKind.NotFound)]
    [InlineData(403, "NoPermission", AlibabaCloudErrorKind.ClientError)]
    [InlineData(400, "Throttling.Api", AlibabaCloudErrorKind.Throttling)]
    [InlineData(400, "InvalidParameter.RoleSessionName", AlibabaCloudErrorKind.ClientError)]
    public void Classify_StatusAndCode_GivesDocumentedKind(int status, string code, AlibabaCloudErrorKind expected) =>
        Assert.Equal(expected, AcsErrors.Classify(status, code));

    [Theory]
    [InlineData("""{"Code":"C1","Message":"M1","RequestId":"R1"}""", "C1", "M1", "R1")]
    [InlineData("""{"code":"C2","message":"M2","requestId":"R2","data":{"x":1}}""", "C2", "M2", "R2")]
    [InlineData("""  {"Code":"C3"}""", "C3", "", null)]
    [InlineData("""<?xml version="1.0" encoding="UTF-8"?><Error><RequestId>R4</RequestId><HostId>h</HostId><Code>C4</Code><Message>M4</Message></Error>""", "C4", "M4", "R4")]
    public void Parse_KnownShapes_ReadsCodeMessageRequestId(string body, string code, string message, string? requestId) =>
        Assert.Equal(new AcsErrorBody(code, message, requestId), AcsErrors.Parse(400, "application/json", Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Parse_HtmlBody_KeepsStatusAndSanitizedStart()
    {
        var body = "<html>\r\n<body>\u0001Bad\tGateway</body>" + new string('x', 500);

        var error = AcsErrors.Parse(502, "text/html", Encoding.UTF8.GetBytes(body));

        Assert.Equal("Http502", error.Code);
        Assert.Contains("text/html", error.Message, StringComparison.Ordinal);
        Assert.Contains("<html> <body> Bad Gateway</body>", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', error.Message);
        Assert.DoesNotContain('\u0001', error.Message);
        Assert.True(error.Message.Length < 320, error.Message);
    }

    [Fact]
    public void Parse_EmptyBody_SaysSo() =>
        Assert.Equal(new AcsErrorBody("Http500", "HTTP 500 with an empty body.", null), AcsErrors.Parse(500, null, []));

    [Fact]
    public async Task GetClusterAsync_XmlErrorBody_MappedToException()
    {
        _server.Enqueue(new ScriptedResponse(
            403,
            "<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>R-x</RequestId><Code>Forbidden.RAM</Code><Message>no permission</Message></Error>",
            "text/xml;charset=utf-8"));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1"));

        Assert.Equal(("Forbidden.RAM", "no permission", "R-x", 403), (error.Code, error.ErrorMessage, error.RequestId, error.StatusCode));
        Assert.Equal(AlibabaCloudErrorKind.ClientError, error.Kind);
    }

    [Fact]
    public async Task GetClusterAsync_ErrorQuotingTheSignedToken_TokenAndSecretMasked()
    {
        // An RPC-style SignatureDoesNotMatch quotes the server's string to sign: the token raw, encoded and encoded twice.
        const string Token = "CAIS+sts/token==value";
        var once = AcsV3Signer.PercentEncode(Token);
        var quoted = $"server string to sign is:GET&%2F&SecurityToken%3D{AcsV3Signer.PercentEncode(once)} token {Token} also {once} key {AcsTestServer.AccessKeySecret}";
        _server.Enqueue(new ScriptedResponse(400, $$"""{"Code":"SignatureDoesNotMatch","Message":"{{quoted}}","RequestId":"R-s"}"""));
        await using var harness = ClientHarness.Create(_server, settings => settings["ALIBABA_CLOUD_SECURITY_TOKEN"] = Token);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1"));

        Assert.Equal(("SignatureDoesNotMatch", "R-s"), (error.Code, error.RequestId));
        Assert.StartsWith("server string to sign is:GET&%2F&SecurityToken%3D***", error.ErrorMessage, StringComparison.Ordinal);
        foreach (var text in new[] { error.Message, error.ErrorMessage })
        {
            Assert.DoesNotContain("sts", text, StringComparison.Ordinal);
            Assert.DoesNotContain(AcsTestServer.AccessKeySecret, text, StringComparison.Ordinal);
        }

        // The full text carries the stack trace, whose file paths may contain "sts" anywhere: look for the token itself.
        foreach (var form in new[] { Token, once, AcsV3Signer.PercentEncode(once), AcsTestServer.AccessKeySecret })
        {
            Assert.DoesNotContain(form, error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetClusterAsync_NonJsonErrorBody_UsefulErrorWithHeaderRequestId()
    {
        _server.Enqueue(new ScriptedResponse(400, "plain words from a proxy", "text/plain"));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1"));

        Assert.Equal("Http400", error.Code);
        Assert.Contains("plain words from a proxy", error.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("hdr-1", error.RequestId);
        Assert.Contains("HTTP 400", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetClusterAsync_NothingListening_TransientConnectionFailure()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var harness = ClientHarness.Create($"http://127.0.0.1:{port}", s => s["ACKFC_CLOUD_MAX_ATTEMPTS"] = "1");

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1"));

        Assert.Equal(AlibabaCloudErrorKind.Transient, error.Kind);
        Assert.Equal("ConnectionFailed", error.Code);
        Assert.Null(error.StatusCode);
    }

    [Fact]
    public async Task GetClusterAsync_SecretNeverInError_MessageCarriesNoCredentials()
    {
        _server.Enqueue(ScriptedResponse.Error(400, "SignatureDoesNotMatch"));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1"));

        Assert.DoesNotContain(AcsTestServer.AccessKeySecret, error.ToString(), StringComparison.Ordinal);
    }
}
