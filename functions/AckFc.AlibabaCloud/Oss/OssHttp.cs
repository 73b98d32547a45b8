using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Http;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AckFc.AlibabaCloud.Oss;

/// <summary>What the OSS signing handler needs for each attempt, carried in <see cref="HttpRequestMessage.Options"/>.</summary>
internal sealed record OssCall(
    string Action,
    OssBucket Bucket,
    string Key,
    IReadOnlyList<KeyValuePair<string, string?>> Query,
    AlibabaCloudCredentials Credentials,
    bool Idempotent)
{
    public static readonly HttpRequestOptionsKey<OssCall> OptionKey = new("AckFc.AlibabaCloud.OssCall");

    public static OssCall? Of(HttpRequestMessage? message) =>
        message is not null && message.Options.TryGetValue(OptionKey, out var call) ? call : null;
}

/// <summary>Where requests to a bucket go: virtual-hosted <c>{bucket}.{endpoint host}</c>, or path style for an IP or localhost endpoint.</summary>
internal static class OssAddress
{
    public static bool IsPathStyle(Uri endpoint) =>
        endpoint.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || endpoint.IsLoopback
        || string.Equals(endpoint.Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URL of an object (or of the bucket when <paramref name="key"/> is empty), with an encoded query.</summary>
    public static Uri Object(Uri endpoint, string bucket, string key, string encodedQuery)
    {
        var builder = new StringBuilder(endpoint.Scheme).Append("://");
        var port = endpoint.IsDefaultPort ? string.Empty : ":" + endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (IsPathStyle(endpoint))
        {
            builder.Append(endpoint.Authority).Append('/').Append(bucket).Append('/');
        }
        else
        {
            builder.Append(bucket).Append('.').Append(endpoint.IdnHost).Append(port).Append('/');
        }

        builder.Append(OssV4Signer.UriEncode(key, keepSlash: true));
        if (encodedQuery.Length > 0)
        {
            builder.Append('?').Append(encodedQuery);
        }

        // Keys may hold "." and ".." segments or %-escapes of unreserved characters: the path must go out as built.
        return new Uri(builder.ToString(), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
    }
}

/// <summary>
/// Signs every attempt with V4: fresh <c>x-oss-date</c>, <c>x-oss-content-sha256: UNSIGNED-PAYLOAD</c>, the STS token
/// when there is one. Sits inside the resilience handler, so each retry is signed again.
/// </summary>
internal sealed class OssSigningHandler(TimeProvider time) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = OssCall.Of(request)
            ?? throw new InvalidOperationException("The OSS HTTP client only sends requests built by OssClient.");
        Sign(request, call, time.GetUtcNow());
        return base.SendAsync(request, cancellationToken);
    }

    internal static void Sign(HttpRequestMessage request, OssCall call, DateTimeOffset now)
    {
        var headers = request.Headers;
        foreach (var name in (ReadOnlySpan<string>)["x-oss-date", "x-oss-content-sha256", "x-oss-security-token", "Authorization"])
        {
            headers.Remove(name);
        }

        headers.TryAddWithoutValidation("x-oss-date", OssV4Signer.FormatTimestamp(now));
        headers.TryAddWithoutValidation("x-oss-content-sha256", OssV4Signer.UnsignedPayload);
        if (call.Credentials.SecurityToken is { } token)
        {
            headers.TryAddWithoutValidation("x-oss-security-token", token);
        }

        var signed = new List<KeyValuePair<string, string>>();
        foreach (var header in headers.NonValidated)
        {
            var lower = header.Key.ToLowerInvariant();
            if (OssV4Signer.IsDefaultSigned(lower))
            {
                signed.Add(new(lower, string.Join(',', header.Value)));
            }
        }

        if (request.Content is { } content)
        {
            foreach (var header in content.Headers.NonValidated)
            {
                var lower = header.Key.ToLowerInvariant();
                if (OssV4Signer.IsDefaultSigned(lower))
                {
                    signed.Add(new(lower, string.Join(',', header.Value)));
                }
            }
        }

        var signature = OssV4Signer.SignHeaders(
            request.Method.Method, call.Bucket.Name, call.Key, call.Query, signed, null, call.Bucket.Region, call.Credentials.AccessKeySecret);
        headers.TryAddWithoutValidation("Authorization", signature.AuthorizationHeader(call.Credentials.AccessKeyId));
    }
}

/// <summary>A request body rendered by a writer each time it is sent: no length, so it goes chunked.</summary>
internal sealed class OssWriterContent(Func<Stream, CancellationToken, Task> writer) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        writer(stream, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        writer(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}

/// <summary>
/// The OSS pipeline, built like the CS/KMS one from the same settings (total timeout, retry with backoff and
/// jitter, attempt timeout): throttling is always retried; 5xx, timeouts and broken connections only for idempotent
/// calls — every call the client makes is one (reads, puts of a fixed body to a fixed key, deletes).
/// </summary>
internal static partial class OssResilience
{
    public const string PipelineName = "oss";

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, AlibabaCloudOptions options, ILogger logger)
    {
        builder.AddTimeout(options.TotalTimeout);
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context),
                OnRetry = args =>
                {
                    var call = OssCall.Of(args.Context.GetRequestMessage());
                    LogRetry(logger, call?.Action, call?.Bucket.Name, args.Outcome.Exception?.GetType().Name ?? $"HTTP {(int?)args.Outcome.Result?.StatusCode}",
                        args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
    }

    internal static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var idempotent = OssCall.Of(context.GetRequestMessage())?.Idempotent ?? false;
        if (outcome.Exception is { } exception)
        {
            return idempotent && exception is TimeoutRejectedException or HttpRequestException;
        }

        var response = outcome.Result;
        if (response is null || response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
        {
            return false;
        }

        var status = (int)response.StatusCode;
        if (status is 429 or 503)
        {
            return true;
        }

        if (status < 500 && status != 400 && status != 403)
        {
            return false;
        }

        await response.Content.LoadIntoBufferAsync(context.CancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(context.CancellationToken).ConfigureAwait(false);
        var kind = OssErrors.FromResponse("retry", status, response.Headers, response.Content.Headers.ContentType, body).Kind;
        return kind == AlibabaCloudErrorKind.Throttling || (kind == AlibabaCloudErrorKind.Transient && idempotent);
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Retrying OSS {Action} on bucket {Bucket} after {Reason}: attempt {Attempt} in {DelayMilliseconds} ms")]
    private static partial void LogRetry(ILogger logger, string? action, string? bucket, string reason, int attempt, long delayMilliseconds);
}

/// <summary>OSS error answers: the XML body, or for body-less answers (HEAD) the base64 XML of <c>x-oss-err</c>.</summary>
internal static class OssErrors
{
    public const string RequestIdHeader = "x-oss-request-id";
    public const string ErrorHeader = "x-oss-err";

    public static AlibabaCloudException FromResponse(
        string action, int status, HttpResponseHeaders headers, MediaTypeHeaderValue? contentType, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty && AcsErrors.Header(headers, ErrorHeader) is { } encoded)
        {
            try
            {
                body = Convert.FromBase64String(encoded);
            }
            catch (FormatException)
            {
                // A malformed header leaves the status to speak.
            }
        }

        var error = AcsErrors.Parse(status, contentType?.MediaType, body);
        var code = error.Code;
        if (code.StartsWith("Http", StringComparison.Ordinal) && body.IsEmpty)
        {
            // ali-oss names body-less answers the same way.
            code = status switch { 404 => "NoSuchKey", 412 => "PreconditionFailed", 503 => "ServiceUnavailable", _ => code };
        }

        var kind = IsThrottling(code) ? AlibabaCloudErrorKind.Throttling : AcsErrors.Classify(status, code);
        return new AlibabaCloudException(kind, code, error.Message, status, error.RequestId ?? AcsErrors.Header(headers, RequestIdHeader), action);
    }

    /// <summary>
    /// OSS's flow-control answers: 429 <c>QpsLimitExceeded</c>; 503 <c>TotalQpsLimitExceeded</c>,
    /// <c>ActiveRequestLimitExceeded</c>, <c>MetaOperationQpsLimitExceeded</c>, <c>Upload/DownloadTrafficRateLimitExceeded</c>
    /// (help.aliyun.com, OSS "HTTP status code 503" / "429"); S3-style <c>SlowDown</c> and anything named throttling.
    /// </summary>
    internal static bool IsThrottling(string code) =>
        code is "SlowDown" or "TooManyRequests"
        || code.EndsWith("LimitExceeded", StringComparison.Ordinal)
        || code.Contains("Throttling", StringComparison.OrdinalIgnoreCase);
}
