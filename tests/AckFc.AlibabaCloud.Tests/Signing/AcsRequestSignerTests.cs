using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Http;
using AckFc.AlibabaCloud.Signing;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.AlibabaCloud.Tests.Signing;

public sealed class AcsRequestSignerTests
{
    private static readonly Uri Endpoint = new("http://127.0.0.1:8080");

    [Fact]
    public void Sign_Twice_ReplacesHeadersWithFreshDateAndNonce()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 16, 51, 49, TimeSpan.Zero));
        var signer = new AcsRequestSigner(time);
        var request = new AcsRequest(AcsService.Cs, "cn-hangzhou", "DescribeClusterDetail", HttpMethod.Get, "/clusters/c-1", []);
        using var message = AcsTransport.BuildMessage(request, new AlibabaCloudCredentials("id", "secret"), Endpoint);
        var call = AcsCall.Of(message)!;

        signer.Sign(message, call);
        var firstNonce = Single(message, "x-acs-signature-nonce");
        Assert.Equal("2026-11-28T16:51:49Z", Single(message, "x-acs-date"));
        time.Advance(TimeSpan.FromSeconds(3));
        signer.Sign(message, call);

        Assert.Equal("2026-11-28T16:51:52Z", Single(message, "x-acs-date"));
        Assert.NotEqual(firstNonce, Single(message, "x-acs-signature-nonce"));
        Assert.Single(message.Headers.GetValues("Authorization"));
        Assert.Equal("127.0.0.1:8080", message.Headers.Host);
    }

    [Fact]
    public void Sign_RpcRequest_AuthorizationMatchesAnIndependentRecomputation()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 16, 51, 49, TimeSpan.Zero));
        var request = AcsRequest.Rpc(AcsService.Kms, "cn-hangzhou", "DescribeKey", false, new KeyValuePair<string, string>("KeyId", "alias/my-key"));
        using var message = AcsTransport.BuildMessage(request, new AlibabaCloudCredentials("ak", "sk", "tok"), Endpoint);

        new AcsRequestSigner(time).Sign(message, AcsCall.Of(message)!);

        Assert.Equal("http://127.0.0.1:8080/?KeyId=alias%2Fmy-key", message.RequestUri!.AbsoluteUri);
        var expected = AcsV3Signer.Sign(
            "POST", "/", "KeyId=alias%2Fmy-key",
            new Dictionary<string, string>
            {
                ["host"] = "127.0.0.1:8080",
                ["x-acs-action"] = "DescribeKey",
                ["x-acs-version"] = "2016-01-20",
                ["x-acs-date"] = "2026-11-28T16:51:49Z",
                ["x-acs-signature-nonce"] = Single(message, "x-acs-signature-nonce"),
                ["x-acs-content-sha256"] = AcsV3Signer.EmptyPayloadHash,
                ["x-acs-accesskey-id"] = "ak",
                ["x-acs-security-token"] = "tok",
            },
            AcsV3Signer.EmptyPayloadHash,
            "sk");
        Assert.Equal(expected.AuthorizationHeader("ak"), Single(message, "Authorization"));
    }

    private static string Single(HttpRequestMessage message, string header) => Assert.Single(message.Headers.GetValues(header));
}
