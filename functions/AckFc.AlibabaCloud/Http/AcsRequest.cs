using System.Buffers;
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
    /// <summary>The <see cref="RegionId"/> of a call to a central product (<see cref="AcsServiceExtensions.IsCentral"/>).</summary>
    public const string CentralRegion = "central";

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

/// <summary>
/// A successful answer, its body buffered. A page of a hundred clusters is a few hundred kilobytes: as a fresh array
/// each would land on the large-object heap, which only a full collection frees, so the body sits in an array rented
/// from the shared pool and goes back when the response is disposed. Read <see cref="Body"/> only before that.
/// </summary>
internal sealed class AcsResponse : IDisposable
{
    private byte[]? buffer;
    private readonly int length;
    private readonly bool pooled;

    private AcsResponse(int statusCode, string? requestIdHeader, byte[] buffer, int length, bool pooled)
    {
        StatusCode = statusCode;
        RequestIdHeader = requestIdHeader;
        this.buffer = buffer;
        this.length = length;
        this.pooled = pooled;
    }

    public int StatusCode { get; }

    public string? RequestIdHeader { get; }

    public ReadOnlySpan<byte> Body => (buffer ?? throw new ObjectDisposedException(nameof(AcsResponse))).AsSpan(0, length);

    /// <summary>The request id from <c>x-acs-request-id</c>, else from the body when it carries one.</summary>
    public string? RequestId => RequestIdHeader ?? RequestIdFromBody(Body);

    public static AcsResponse FromBytes(int statusCode, string? requestIdHeader, byte[] body) => new(statusCode, requestIdHeader, body, body.Length, pooled: false);

    /// <summary>Reads a buffered body of known length into a pooled array.</summary>
    public static async Task<AcsResponse> ReadPooledAsync(int statusCode, string? requestIdHeader, Stream body, int length, CancellationToken cancellationToken)
    {
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            await body.ReadExactlyAsync(rented.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            return new AcsResponse(statusCode, requestIdHeader, rented, length, pooled: true);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(rented);
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref buffer, null) is { } returned && pooled)
        {
            ArrayPool<byte>.Shared.Return(returned);
        }
    }

    private static string? RequestIdFromBody(ReadOnlySpan<byte> body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
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

