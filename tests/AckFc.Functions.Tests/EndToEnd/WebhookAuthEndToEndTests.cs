using System.Net;
using System.Text;
using AckFc.Core.Signatures;
using AckFc.Functions;
using AckFc.Functions.Tests.Webhook;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// Every route of the webhook that needs a signature refuses a request without a valid one with 401, and nothing of
/// it reaches the cloud: unsigned, a garbage header, the wrong secret, an unknown key id, a signature for another
/// path, method or body, an expired one. The route list is <see cref="WebhookRouteOracle.SignedRoutes"/>.
/// </summary>
public sealed class WebhookAuthEndToEndTests : LocalRunTest
{
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (method, path) in WebhookRouteOracle.SignedRoutes)
        {
            foreach (var forgery in Forgeries)
            {
                data.Add(method, path, forgery);
            }
        }

        return data;
    }

    private static readonly string[] Forgeries = ["unsigned", "garbage", "wrong secret", "unknown key id", "other path", "other method", "other body", "expired", "no v1"];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Route_WithoutAValidSignature_401AndNoCloudCall(string method, string path, string forgery)
    {
        var body = method == "GET" ? string.Empty : path == "/sweeps" ? """{"mode":"remediate"}""" : """{"kms_key_id":"key-demo-hz-spare"}""";
        var bytes = Encoding.UTF8.GetBytes(body);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string? signature = forgery switch
        {
            "unsigned" => null,
            "garbage" => "not a signature",
            "wrong secret" => ContractSigner.Header(Stack.WebhookKeyId, new string('x', 48), now, method, path, bytes),
            "unknown key id" => ContractSigner.Header("someone-else", Stack.WebhookSecret, now, method, path, bytes),
            "other path" => ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, now, method, path + "x", bytes),
            "other method" => ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, now, method == "GET" ? "PUT" : "GET", path, bytes),
            "other body" => ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, now, method, path, [.. bytes, (byte)' ']),
            "expired" => ContractSigner.Header(Stack.WebhookKeyId, Stack.WebhookSecret, now - 301, method, path, bytes),
            "no v1" => $"t={now},kid={Stack.WebhookKeyId}",
            _ => throw new ArgumentOutOfRangeException(nameof(forgery), forgery, null),
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (bytes.Length > 0)
        {
            request.Content = new ByteArrayContent(bytes);
        }

        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, signature);
        }

        request.Headers.Add("x-fc-control-path", "/http-invoke");
        var before = Stack.Emulator.State.GetCalls().Count;

        using var response = await Client.SendAsync(request);

        Assert.Equal(WebhookRouteOracle.ExpectedWithoutValidSignature(method, path), (int)response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, Stack.Emulator.State.GetCalls().Count);
    }

    [Theory]
    [MemberData(nameof(SignedRoutesData))]
    public async Task Route_SignedWithTheContractSigner_NotRefused(string method, string path)
    {
        // The other side of the same table: the routes are real and a valid signature opens them.
        var body = method == "GET" ? string.Empty : path == "/sweeps" ? """{"mode":"report"}""" : """{"kms_key_id":"key-demo-hz-spare","dry_run":true}""";
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (bytes.Length > 0)
        {
            request.Content = new ByteArrayContent(bytes);
        }

        request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, ContractSigner.Now(Stack.WebhookKeyId, Stack.WebhookSecret, method, path, bytes));
        request.Headers.Add("x-fc-control-path", "/http-invoke");

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string> SignedRoutesData()
    {
        var data = new TheoryData<string, string>();
        foreach (var (method, path) in WebhookRouteOracle.SignedRoutes)
        {
            data.Add(method, path);
        }

        return data;
    }
}
