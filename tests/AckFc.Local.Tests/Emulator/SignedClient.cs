using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AckFc.AlibabaCloud.Signing;
using AckFc.Local.Emulator;

namespace AckFc.Local.Tests.Emulator;

/// <summary>One request to sign, with every knob a signature test needs to get something wrong on purpose.</summary>
internal sealed class SignedRequest
{
    public HttpMethod Method { get; init; } = HttpMethod.Post;

    /// <summary>The path exactly as sent (already percent-encoded).</summary>
    public string Path { get; init; } = "/";

    public List<KeyValuePair<string, string>> Query { get; init; } = [];
    public string? Action { get; init; }
    public string Version { get; init; } = "2016-01-20";
    public byte[]? Body { get; init; }
    public string? ContentType { get; init; }
    public bool Chunked { get; init; }
    public string? AccessKeyId { get; init; }
    public string? Secret { get; init; }
    public string? SecurityToken { get; init; }
    public bool SignSecurityToken { get; init; } = true;
    public DateTimeOffset? Date { get; init; }
    public string? Nonce { get; init; }
    public string? Host { get; init; }
    public string? SignedPathOverride { get; init; }
    public string? BodyHashOverride { get; init; }
    public Dictionary<string, string> UnsignedHeaders { get; init; } = [];
    public bool OmitAuthorization { get; init; }

    public static SignedRequest Kms(string action, params (string Name, string Value)[] query) => new()
    {
        Action = action,
        Query = [.. query.Select(q => new KeyValuePair<string, string>(q.Name, q.Value))],
    };

    public static SignedRequest CsGet(string action, string path, params (string Name, string Value)[] query) => new()
    {
        Method = HttpMethod.Get,
        Action = action,
        Version = "2015-12-15",
        Path = path,
        Query = [.. query.Select(q => new KeyValuePair<string, string>(q.Name, q.Value))],
    };

    public static SignedRequest UpdateKms(string clusterId, string json, bool chunked = true) => new()
    {
        Method = HttpMethod.Put,
        Action = "UpdateKMSEncryption",
        Version = "2015-12-15",
        Path = AcsV3Signer.EncodePath("clusters", clusterId, "kms"),
        Body = Encoding.UTF8.GetBytes(json),
        ContentType = "application/json; charset=utf-8",
        Chunked = chunked,
    };
}

/// <summary>Signs requests with <see cref="AcsV3Signer"/> the way the official SDK does and sends them raw.</summary>
internal sealed class SignedClient : IDisposable
{
    private readonly RunningEmulator _emulator;
    private readonly HttpClient _http;

    public SignedClient(RunningEmulator emulator, TimeSpan? timeout = null)
    {
        _emulator = emulator;
        _http = new HttpClient { BaseAddress = emulator.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
    }

    public HttpClient Http => _http;

    public Task<HttpResponseMessage> SendAsync(SignedRequest r)
    {
        var now = r.Date ?? _emulator.State.Time.GetUtcNow();
        var body = r.Body ?? [];
        var bodyHash = AcsV3Signer.Sha256Hex(body);
        var host = r.Host ?? _emulator.BaseAddress.Authority;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = host,
            ["x-acs-version"] = r.Version,
            ["x-acs-date"] = AcsV3Signer.FormatDate(now),
            ["x-acs-signature-nonce"] = r.Nonce ?? AcsV3Signer.NewNonce(),
            ["x-acs-content-sha256"] = r.BodyHashOverride ?? bodyHash,
        };
        if (r.Action is not null)
        {
            headers["x-acs-action"] = r.Action;
        }

        if (r.ContentType is not null)
        {
            headers["content-type"] = r.ContentType;
        }

        if (r.SecurityToken is not null && r.SignSecurityToken)
        {
            headers["x-acs-security-token"] = r.SecurityToken;
        }

        var query = AcsV3Signer.CanonicalQuery(r.Query);
        var credential = _emulator.Credential;
        var signature = AcsV3Signer.Sign(
            r.Method.Method, r.SignedPathOverride ?? r.Path, query, headers, r.BodyHashOverride ?? bodyHash, r.Secret ?? credential.AccessKeySecret);

        // Query sent in insertion order (not sorted), as the SDK does: the server must sort.
        var wireQuery = string.Join('&', r.Query.Select(q => AcsV3Signer.PercentEncode(q.Key) + "=" + AcsV3Signer.PercentEncode(q.Value)));
        var message = new HttpRequestMessage(r.Method, r.Path + (wireQuery.Length > 0 ? "?" + wireQuery : ""));
        foreach (var (name, value) in headers)
        {
            if (name is "host" or "content-type")
            {
                continue;
            }

            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (r.Host is not null)
        {
            message.Headers.Host = r.Host;
        }

        if (r.SecurityToken is not null && !r.SignSecurityToken)
        {
            message.Headers.TryAddWithoutValidation("x-acs-security-token", r.SecurityToken);
        }

        foreach (var (name, value) in r.UnsignedHeaders)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (!r.OmitAuthorization)
        {
            message.Headers.TryAddWithoutValidation("Authorization", signature.AuthorizationHeader(r.AccessKeyId ?? credential.AccessKeyId));
        }

        if (r.Body is not null)
        {
            HttpContent content = r.Chunked ? new StreamContent(new NonSeekableStream(body)) : new ByteArrayContent(body);
            if (r.ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
            }

            message.Content = content;
            if (r.Chunked)
            {
                message.Headers.TransferEncodingChunked = true;
            }
        }

        return _http.SendAsync(message);
    }

    public async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> SendJsonAsync(SignedRequest r)
    {
        var response = await SendAsync(r);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return ((int)response.StatusCode, doc.RootElement.Clone(), response);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A stream without a length, so HttpClient sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>Starts an emulator per test with a fake clock and fixed credentials.</summary>
internal static class TestEmulator
{
    public static readonly EmulatorCredential Credential = new("test-key-id", "test-key-secret-0123456789");

    public static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static Task<RunningEmulator> StartAsync(
        Microsoft.Extensions.Time.Testing.FakeTimeProvider? time = null,
        FleetDefinition? fleet = null,
        Action<EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions
        {
            TimeProvider = time ?? new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start),
            Fleet = fleet,
        };
        options.Credentials.Add(Credential);
        configure?.Invoke(options);
        return EmulatorHost.StartAsync(options, CancellationToken.None);
    }

    public static string Code(JsonElement body) =>
        body.TryGetProperty("Code", out var upper) ? upper.GetString()! : body.GetProperty("code").GetString()!;
}

internal static class HttpHeadersExtensions
{
    public static string? Value(this HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
