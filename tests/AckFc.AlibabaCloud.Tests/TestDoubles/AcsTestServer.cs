using System.Collections.Concurrent;
using System.Net;
using System.Text;
using AckFc.AlibabaCloud.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AckFc.AlibabaCloud.Tests.TestDoubles;

/// <summary>What the test double received, with the verdict of its own V3 signature check.</summary>
internal sealed record RecordedRequest(
    string Method,
    string RawTarget,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    string? SignatureProblem)
{
    public string Path => RawTarget.Split('?', 2)[0];

    public string RawQuery => RawTarget.Contains('?', StringComparison.Ordinal) ? RawTarget.Split('?', 2)[1] : string.Empty;

    public IReadOnlyDictionary<string, string> Query =>
        AcsV3Signer.ParseRawQuery(RawQuery).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public IReadOnlyList<string> SignedHeaders =>
        AcsV3Signer.ParseAuthorization(Header("authorization"))?.SignedHeaders ?? [];

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>A scripted answer.</summary>
internal sealed record ScriptedResponse(
    int Status,
    string Body = "{}",
    string ContentType = "application/json;charset=utf-8",
    IReadOnlyDictionary<string, string>? Headers = null,
    TimeSpan? Delay = null)
{
    public static ScriptedResponse Json(string body, int status = 200) => new(status, body);

    public static ScriptedResponse Error(int status, string code, string message = "scripted", string requestId = "R-test") =>
        new(status, $$"""{"Code":"{{code}}","Message":"{{message}}","RequestId":"{{requestId}}"}""");
}

/// <summary>
/// A loopback stand-in for the CS and KMS endpoints: records every request, verifies its V3 signature from the
/// raw request target (as the real gateway does), and answers what the test scripted. A request whose
/// signature does not verify gets <c>400 SignatureDoesNotMatch</c>, so a signing bug cannot pass silently.
/// </summary>
internal sealed class AcsTestServer : IAsyncDisposable
{
    public const string AccessKeyId = "testAccessKeyId";
    public const string AccessKeySecret = "testAccessKeySecret";
    public const string StsAccessKeyId = "STS.testKeyId";
    public const string StsAccessKeySecret = "stsSecret";
    public const string StsToken = "testSecurityToken+/=";

    private static readonly Dictionary<string, string> Secrets = new(StringComparer.Ordinal)
    {
        [AccessKeyId] = AccessKeySecret,
        [StsAccessKeyId] = StsAccessKeySecret,
    };

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, byte> _nonces = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();

    private AcsTestServer(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The endpoint template a client should use: every region on this one URL.</summary>
    public string Endpoint => BaseUri.GetLeftPart(UriPartial.Authority);

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Answers for requests with no scripted answer queued.</summary>
    public Func<RecordedRequest, ScriptedResponse> Fallback { get; set; } = _ => ScriptedResponse.Json("{}");

    public static async Task<AcsTestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new AcsTestServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseUri = new Uri(address);
        return server;
    }

    /// <summary>Queues answers, used in order before <see cref="Fallback"/>.</summary>
    public void Enqueue(params ScriptedResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var problem = Verify(request.Method, rawTarget, headers, body);
        var recorded = new RecordedRequest(request.Method, rawTarget, headers, body, problem);
        _requests.Enqueue(recorded);

        var answer = problem is not null
            ? ScriptedResponse.Error(400, "SignatureDoesNotMatch", problem.Replace('"', '\''))
            : _script.TryDequeue(out var scripted) ? scripted : Fallback(recorded);

        if (answer.Delay is { } delay)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = answer.Status;
        context.Response.Headers["x-acs-request-id"] = "hdr-" + _requests.Count;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (answer.Body.Length > 0)
        {
            context.Response.ContentType = answer.ContentType;
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }
    }

    private string? Verify(string method, string rawTarget, Dictionary<string, string> headers, byte[] body)
    {
        var authorization = AcsV3Signer.ParseAuthorization(headers.GetValueOrDefault("authorization"));
        if (authorization is null)
        {
            return "missing or malformed Authorization";
        }

        if (!Secrets.TryGetValue(authorization.AccessKeyId, out var secret))
        {
            return $"unknown access key {authorization.AccessKeyId}";
        }

        var unsigned = headers.Keys.Where(AcsV3Signer.MustSign).Except(authorization.SignedHeaders).ToList();
        if (unsigned.Count > 0)
        {
            return "present but not signed: " + string.Join(',', unsigned);
        }

        var missing = authorization.SignedHeaders.Where(h => !headers.ContainsKey(h)).ToList();
        if (missing.Count > 0)
        {
            return "signed but absent: " + string.Join(',', missing);
        }

        var payloadHash = AcsV3Signer.Sha256Hex(body);
        if (headers.GetValueOrDefault("x-acs-content-sha256") != payloadHash)
        {
            return "x-acs-content-sha256 does not match the body";
        }

        if (!_nonces.TryAdd(headers.GetValueOrDefault("x-acs-signature-nonce") ?? string.Empty, 0))
        {
            return "x-acs-signature-nonce reused";
        }

        var parts = rawTarget.Split('?', 2);
        var signature = AcsV3Signer.Sign(
            method,
            parts[0],
            AcsV3Signer.CanonicalQueryFromRaw(parts.Length > 1 ? parts[1] : string.Empty),
            authorization.SignedHeaders.Select(h => new KeyValuePair<string, string>(h, headers[h])),
            payloadHash,
            secret);
        return signature.Signature == authorization.Signature ? null : "signature mismatch; canonical request:\n" + signature.CanonicalRequest;
    }
}
