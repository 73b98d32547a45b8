using System.Text;

namespace AckFc.AlibabaCloud.Tests.TestDoubles;

// The loopback double is what proves requests are signed; it must itself reject a bad signature.
public sealed class AcsTestServerTests
{
    [Fact]
    public async Task Verify_ForgedSignature_RecordedAsProblemAndAnsweredWithSignatureError()
    {
        await using var server = await AcsTestServer.StartAsync();
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUri, "/?KeyId=key-1"));
        request.Headers.TryAddWithoutValidation("x-acs-action", "DescribeKey");
        request.Headers.TryAddWithoutValidation("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"ACS3-HMAC-SHA256 Credential={AcsTestServer.AccessKeyId},SignedHeaders=host;x-acs-action;x-acs-content-sha256,Signature=00");

        using var response = await client.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("SignatureDoesNotMatch", Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);
        Assert.StartsWith("signature mismatch", Assert.Single(server.Requests).SignatureProblem, StringComparison.Ordinal);
    }
}
