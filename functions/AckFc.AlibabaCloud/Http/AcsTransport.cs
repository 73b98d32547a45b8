using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Signing;
using Microsoft.Extensions.Logging;
using Polly.RateLimiting;
using Polly.Timeout;

namespace AckFc.AlibabaCloud.Http;

/// <summary>
/// Sends one OpenAPI call through the named HTTP client (resilience, rate limit, signing) and turns every
/// failure into an <see cref="AlibabaCloudException"/>. Scoped: it reads the invocation's credentials.
/// </summary>
internal sealed partial class AcsTransport(
    IHttpClientFactory httpClientFactory,
    ICredentialsProvider credentialsProvider,
    AcsEndpointResolver endpoints,
    ILogger<AcsTransport> logger)
{
    public const string HttpClientName = "AckFc.AlibabaCloud";

    public async Task<AcsResponse> SendAsync(AcsRequest request, CancellationToken cancellationToken)
    {
        var credentials = credentialsProvider.GetCredentials();
        var endpoint = endpoints.Resolve(request.Service, request.RegionId);
        using var message = BuildMessage(request, credentials, endpoint);
        var client = httpClientFactory.CreateClient(HttpClientName);
        LogSending(logger, request.Action, request.RegionId, endpoint.Authority, credentials.Source);

        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken)
                .ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var failure = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var error = WithoutSecrets(AcsErrors.FromResponse(request.Action, status, response.Headers, response.Content.Headers.ContentType, failure), credentials);
                LogFailed(logger, request.Action, request.RegionId, status, error.Code, error.RequestId);
                throw error;
            }

            var requestId = AcsErrors.Header(response.Headers, AcsErrors.RequestIdHeader);
            if (response.Content.Headers.ContentLength is { } length and > 0 and <= int.MaxValue)
            {
                // The content is already buffered (ResponseContentRead): copy it once, into a pooled array.
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return await AcsResponse.ReadPooledAsync(status, requestId, body, (int)length, cancellationToken).ConfigureAwait(false);
            }

            return AcsResponse.FromBytes(status, requestId, await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (TimeoutRejectedException ex)
        {
            throw Local(request, AlibabaCloudErrorKind.Transient, AcsErrors.TimeoutCode,
                "The call timed out; for a write the outcome is unknown.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw Local(request, AlibabaCloudErrorKind.Transient, AcsErrors.ConnectionFailedCode,
                $"Could not reach {endpoint.Authority}: {ex.Message}", ex);
        }
        catch (RateLimiterRejectedException ex)
        {
            throw Local(request, AlibabaCloudErrorKind.Throttling, AcsErrors.ClientRateLimitedCode,
                "The client-side rate limiter refused the call (queue full).", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Local(request, AlibabaCloudErrorKind.Transient, AcsErrors.TimeoutCode, "The call was cancelled by a timeout.", ex);
        }
    }

    /// <summary>
    /// Some cloud errors quote what was signed: an RPC-style <c>SignatureDoesNotMatch</c> shows the server's string to
    /// sign, security token included. The call's own secret and token are masked (raw and percent-encoded, once or
    /// twice) before the message can reach a log, a report or an answer.
    /// </summary>
    internal static AlibabaCloudException WithoutSecrets(AlibabaCloudException error, AlibabaCloudCredentials credentials)
    {
        var message = error.ErrorMessage;
        foreach (var secret in (ReadOnlySpan<string?>)[credentials.SecurityToken, credentials.AccessKeySecret])
        {
            if (string.IsNullOrEmpty(secret))
            {
                continue;
            }

            var once = AcsV3Signer.PercentEncode(secret);
            foreach (var form in (ReadOnlySpan<string>)[secret, once, AcsV3Signer.PercentEncode(once), Uri.EscapeDataString(secret)])
            {
                message = message.Replace(form, "***", StringComparison.Ordinal);
            }
        }

        return message == error.ErrorMessage
            ? error
            : new AlibabaCloudException(error.Kind, error.Code, message, error.StatusCode, error.RequestId, error.Action, error.InnerException)
            {
                RetryAfterMilliseconds = error.RetryAfterMilliseconds,
            };
    }

    /// <summary>A success body that is not what the API documents.</summary>
    public static AlibabaCloudException InvalidResponse(AcsRequest request, AcsResponse response, string problem, Exception? inner = null) =>
        new(
            request.IsWrite ? AlibabaCloudErrorKind.ClientError : AlibabaCloudErrorKind.Transient,
            AcsErrors.InvalidResponseCode,
            $"{problem} Body starts: {AcsErrors.Snippet(response.Body)}",
            response.StatusCode,
            response.RequestIdHeader,
            request.Action,
            inner);

    /// <summary>Reads a success body with source-generated metadata; a body that does not fit is <c>InvalidResponse</c>.</summary>
    public static T Deserialize<T>(AcsRequest request, AcsResponse response, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(response.Body, type)
                ?? throw AcsTransport.InvalidResponse(request, response, "The answer was JSON null.");
        }
        catch (JsonException ex)
        {
            throw AcsTransport.InvalidResponse(request, response, $"The answer is not the documented JSON ({ex.Message})", ex);
        }
    }

    internal static HttpRequestMessage BuildMessage(AcsRequest request, AlibabaCloudCredentials credentials, Uri endpoint)
    {
        var basePath = endpoint.AbsolutePath.TrimEnd('/');
        var path = basePath + request.Path;
        var rawQuery = string.Join('&', request.Query.Select(p => AcsV3Signer.PercentEncode(p.Key) + "=" + AcsV3Signer.PercentEncode(p.Value)));
        var target = new StringBuilder(endpoint.GetLeftPart(UriPartial.Authority)).Append(path);
        if (rawQuery.Length > 0)
        {
            target.Append('?').Append(rawQuery);
        }

        var message = new HttpRequestMessage(request.Method, new Uri(target.ToString(), UriKind.Absolute));
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        message.Headers.UserAgent.Add(new ProductInfoHeaderValue("AckFc", "1.0"));
        var payloadHash = AcsV3Signer.EmptyPayloadHash;
        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = AcsRequest.JsonContentType;
            payloadHash = AcsV3Signer.Sha256Hex(body);
        }

        var host = endpoint.IsDefaultPort ? endpoint.IdnHost : $"{endpoint.IdnHost}:{endpoint.Port}";
        message.Options.Set(AcsCall.Key, new AcsCall(
            request, credentials, host, path, AcsV3Signer.CanonicalQuery(request.Query), payloadHash));
        return message;
    }

    private static AlibabaCloudException Local(
        AcsRequest request, AlibabaCloudErrorKind kind, string code, string message, Exception inner) =>
        new(kind, code, message, null, null, request.Action, inner);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Calling {Action} in {RegionId} at {Authority} with credentials from {CredentialSource}")]
    private static partial void LogSending(ILogger logger, string action, string regionId, string authority, string credentialSource);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{Action} in {RegionId} failed: HTTP {Status} {Code}, request id {RequestId}")]
    private static partial void LogFailed(ILogger logger, string action, string regionId, int status, string code, string? requestId);
}
