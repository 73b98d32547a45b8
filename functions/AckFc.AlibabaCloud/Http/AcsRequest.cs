using System.Text.Json;
using System.Net.Http.Headers;
using AckFc.AlibabaCloud.Credentials;

namespace AckFc.AlibabaCloud.Http;

/// <summary>One OpenAPI call before it meets the wire.</summary>
/// <param name="Service">CS (ROA) or KMS (RPC).</param>
/// <param name="RegionId">Picks the endpoint and the rate limiter.</param>
/// <param name="Action">The API name, sent as <c>x-acs-action</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, already percent-encoded per segment (RPC: <c>/</c>).</param>
/// <param name="Query">Query parameters, unencoded, in the order they go on the wire.</param>
/// <param name="Body">A JSON body, or null.</param>
/// <param name="IsWrite">A write is repeated only after a throttling answer.</param>
internal sealed record AcsRequest(
    AcsService Service,
    string RegionId,
    string Action,
    HttpMethod Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    byte[]? Body = null,
    bool IsWrite = false)
{
    public static readonly MediaTypeHeaderValue JsonContentType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    /// <summary>An RPC call: <c>POST /</c>, every parameter in the query, no body.</summary>
    public static AcsRequest Rpc(AcsService service, string regionId, string action, bool isWrite, params KeyValuePair<string, string>[] query) =>
        new(service, regionId, action, HttpMethod.Post, "/", query, null, isWrite);
}

/// <summary>What the signing handler needs to sign each attempt, carried in <see cref="HttpRequestMessage.Options"/>.</summary>
internal sealed record AcsCall(
    AcsRequest Request,
    AlibabaCloudCredentials Credentials,
    string HostHeader,
    string CanonicalUri,
    string CanonicalQuery,
    string PayloadHash)
{
    public static readonly HttpRequestOptionsKey<AcsCall> Key = new("AckFc.AlibabaCloud.Call");

    public static AcsCall? Of(HttpRequestMessage? message) =>
        message is not null && message.Options.TryGetValue(Key, out var call) ? call : null;
}

/// <summary>A successful answer, body buffered.</summary>
internal sealed record AcsResponse(int StatusCode, string? RequestIdHeader, byte[] Body)
{
    /// <summary>The request id from <c>x-acs-request-id</c>, else from the body when it carries one.</summary>
    public string? RequestId => RequestIdHeader ?? RequestIdFromBody(Body);

    private static string? RequestIdFromBody(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var name in (ReadOnlySpan<string>)["request_id", "RequestId", "requestId"])
            {
                if (document.RootElement.TryGetProperty(name, out var id) && id.ValueKind == JsonValueKind.String)
                {
                    return id.GetString();
                }
            }

            return null;
        }
        catch (JsonException)
        {
            // Writes document little or no body: an odd one must not fail a call that succeeded.
            return null;
        }
    }
}

