using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Xml;
using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace AckFc.AlibabaCloud.Oss;

/// <summary>
/// The OSS client: V4-signed object calls through the named HTTP client (resilience, then signing per attempt).
/// Scoped, like the CS/KMS clients: it signs with the invocation's credentials.
/// </summary>
internal sealed partial class OssClient(
    IHttpClientFactory httpClientFactory,
    ICredentialsProvider credentialsProvider,
    IOptions<AlibabaCloudOptions> options,
    TimeProvider time,
    ILogger<OssClient> logger) : IOssClient
{
    public const string HttpClientName = "AckFc.AlibabaCloud.Oss";

    public async Task<string?> PutObjectAsync(
        OssBucket bucket, string key, OssContent content, OssPutOptions? putOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        EnsureKey(key);
        putOptions ??= new OssPutOptions();
        HttpContent body;
        if (content.Bytes is { } bytes)
        {
            body = new ReadOnlyMemoryContent(bytes);
            // Content-MD5 is OSS's integrity check of an upload (the V4 payload is unsigned), not a security measure.
#pragma warning disable CA5351
            body.Headers.TryAddWithoutValidation("Content-MD5", Convert.ToBase64String(MD5.HashData(bytes.Span)));
#pragma warning restore CA5351
        }
        else
        {
            body = new OssWriterContent(content.Writer!);
        }

        body.Headers.TryAddWithoutValidation("Content-Type", putOptions.ContentType);
        if (putOptions.ContentDisposition is { } disposition)
        {
            body.Headers.TryAddWithoutValidation("Content-Disposition", disposition);
        }

        using var message = Build(HttpMethod.Put, "PutObject", bucket, key, [], idempotent: true);
        message.Content = body;
        if (putOptions.ForbidOverwrite)
        {
            message.Headers.TryAddWithoutValidation("x-oss-forbid-overwrite", "true");
        }

        foreach (var (name, value) in putOptions.Metadata ?? new Dictionary<string, string>())
        {
            message.Headers.TryAddWithoutValidation("x-oss-meta-" + name.ToLowerInvariant(), value);
        }

        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        return response.Headers.ETag?.Tag ?? AcsErrors.Header(response.Headers, "ETag");
    }

    public async Task<OssObject?> GetObjectAsync(OssBucket bucket, string key, OssGetOptions? getOptions = null, CancellationToken cancellationToken = default)
    {
        EnsureKey(key);
        using var message = Build(HttpMethod.Get, "GetObject", bucket, key, [], idempotent: true);
        AddConditions(message, getOptions);
        var response = await SendAsync(message, HttpCompletionOption.ResponseHeadersRead, missingIsNull: true, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return null;
        }

        try
        {
            var notModified = response.StatusCode == HttpStatusCode.NotModified;
            var stream = notModified ? Stream.Null : await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new OssObject(Info(key, response), stream, notModified, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<OssObjectInfo?> HeadObjectAsync(OssBucket bucket, string key, OssGetOptions? getOptions = null, CancellationToken cancellationToken = default)
    {
        EnsureKey(key);
        using var message = Build(HttpMethod.Head, "HeadObject", bucket, key, [], idempotent: true);
        AddConditions(message, getOptions);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, missingIsNull: true, cancellationToken).ConfigureAwait(false);
        return response is null ? null : Info(key, response);
    }

    public async Task DeleteObjectAsync(OssBucket bucket, string key, CancellationToken cancellationToken = default)
    {
        EnsureKey(key);
        using var message = Build(HttpMethod.Delete, "DeleteObject", bucket, key, [], idempotent: true);
        using var _ = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    public async Task<OssListResult> ListObjectsV2Async(OssBucket bucket, OssListRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxKeys, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.MaxKeys, 1000);
        var query = new List<KeyValuePair<string, string?>>
        {
            new("list-type", "2"),
            new("encoding-type", "url"),
            new("max-keys", request.MaxKeys.ToString(CultureInfo.InvariantCulture)),
        };
        // Empty values are left out: OSS and the SDKs disagree on how "prefix=" is signed.
        AddIfSet(query, "prefix", request.Prefix);
        AddIfSet(query, "delimiter", request.Delimiter);
        AddIfSet(query, "start-after", request.StartAfter);
        AddIfSet(query, "continuation-token", request.ContinuationToken);

        using var message = Build(HttpMethod.Get, "ListObjectsV2", bucket, string.Empty, query, idempotent: true);
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return OssListParser.Parse(body);
        }
        catch (XmlException ex)
        {
            throw new AlibabaCloudException(
                AlibabaCloudErrorKind.Transient, AcsErrors.InvalidResponseCode, $"The ListObjectsV2 answer is not the documented XML ({ex.Message})",
                (int)response.StatusCode, AcsErrors.Header(response.Headers, OssErrors.RequestIdHeader), "ListObjectsV2", ex);
        }
    }

    public Uri PresignGetObject(OssBucket bucket, string key, TimeSpan lifetime, Uri? endpoint = null)
    {
        EnsureKey(key);
        var credentials = credentialsProvider.GetCredentials();
        var (query, _) = OssV4Signer.Presign(
            "GET", bucket.Name, key, [], [], null, bucket.Region, credentials.AccessKeyId, credentials.AccessKeySecret,
            credentials.SecurityToken, time.GetUtcNow(), lifetime);
        if (credentials.SecurityToken is not null)
        {
            // OSS refuses a link once the STS token in it has expired, whatever x-oss-expires says.
            LogTemporaryLink(logger, bucket.Name, (long)lifetime.TotalSeconds);
        }

        return OssAddress.Object(endpoint ?? PublicEndpoint(Endpoint(bucket)), bucket.Name, key, OssV4Signer.EncodeQuery(query));
    }

    /// <summary>
    /// The endpoint people reach: the function writes through <c>oss-{region}-internal.aliyuncs.com</c>, which only
    /// answers inside the region's network, so a link for a person names <c>oss-{region}.aliyuncs.com</c>. V4 does not
    /// sign the host, so the same query signature holds on both. Other endpoints are kept as they are.
    /// </summary>
    internal static Uri PublicEndpoint(Uri endpoint)
    {
        const string Internal = "-internal.aliyuncs.com";
        var host = endpoint.Host;
        if (!host.StartsWith("oss-", StringComparison.OrdinalIgnoreCase) || !host.EndsWith(Internal, StringComparison.OrdinalIgnoreCase))
        {
            return endpoint;
        }

        return new UriBuilder(endpoint) { Host = host[..^Internal.Length] + ".aliyuncs.com" }.Uri;
    }

    internal Uri Endpoint(OssBucket bucket)
    {
        AlibabaCloudRegion.EnsureValid(bucket.Region, nameof(bucket));
        return AcsEndpointTemplate.Expand(options.Value.OssEndpoint, bucket.Region);
    }

    private HttpRequestMessage Build(
        HttpMethod method, string action, OssBucket bucket, string key, IReadOnlyList<KeyValuePair<string, string?>> query, bool idempotent)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var credentials = credentialsProvider.GetCredentials();
        var message = new HttpRequestMessage(method, OssAddress.Object(Endpoint(bucket), bucket.Name, key, OssV4Signer.EncodeQuery(query)));
        message.Headers.UserAgent.Add(new ProductInfoHeaderValue("AckFc", "1.0"));
        message.Options.Set(OssCall.OptionKey, new OssCall(action, bucket, key, query, credentials, idempotent));
        return message;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, HttpCompletionOption completion, CancellationToken cancellationToken) =>
        (await SendAsync(message, completion, missingIsNull: false, cancellationToken).ConfigureAwait(false))!;

    private async Task<HttpResponseMessage?> SendAsync(
        HttpRequestMessage message, HttpCompletionOption completion, bool missingIsNull, CancellationToken cancellationToken)
    {
        var call = OssCall.Of(message)!;
        var client = httpClientFactory.CreateClient(HttpClientName);
        LogSending(logger, call.Action, call.Bucket.Name, call.Key, call.Credentials.Source);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(message, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            throw Local(call, AlibabaCloudErrorKind.Transient, AcsErrors.TimeoutCode, "The OSS call timed out.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw Local(call, AlibabaCloudErrorKind.Transient, AcsErrors.ConnectionFailedCode, $"Could not reach OSS for bucket {call.Bucket.Name}: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Local(call, AlibabaCloudErrorKind.Transient, AcsErrors.TimeoutCode, "The OSS call was cancelled by a timeout.", ex);
        }

        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var error = AcsTransport.WithoutSecrets(
                OssErrors.FromResponse(call.Action, (int)response.StatusCode, response.Headers, response.Content.Headers.ContentType, body), call.Credentials);
            if (missingIsNull && error.Code == "NoSuchKey")
            {
                return null;
            }

            LogFailed(logger, call.Action, call.Bucket.Name, (int)response.StatusCode, error.Code, error.RequestId);
            throw error;
        }
    }

    private static OssObjectInfo Info(string key, HttpResponseMessage response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in response.Headers.NonValidated)
        {
            if (header.Key.StartsWith("x-oss-meta-", StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Key["x-oss-meta-".Length..].ToLowerInvariant()] = string.Join(',', header.Value);
            }
        }

        var contentHeaders = response.Content.Headers;
        return new OssObjectInfo(
            key,
            response.Headers.ETag?.Tag ?? AcsErrors.Header(response.Headers, "ETag"),
            contentHeaders.ContentLength,
            contentHeaders.LastModified,
            contentHeaders.ContentType?.ToString(),
            metadata);
    }

    private static void AddConditions(HttpRequestMessage message, OssGetOptions? conditions)
    {
        if (conditions?.IfNoneMatch is { } none)
        {
            message.Headers.TryAddWithoutValidation("If-None-Match", none);
        }

        if (conditions?.IfMatch is { } match)
        {
            message.Headers.TryAddWithoutValidation("If-Match", match);
        }
    }

    private static void AddIfSet(List<KeyValuePair<string, string?>> query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Add(new(name, value));
        }
    }

    private static void EnsureKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.StartsWith('/') || key.Length > 1023)
        {
            throw new ArgumentException($"An OSS key must not start with '/' and is at most 1023 characters: '{key}'.", nameof(key));
        }
    }

    private static AlibabaCloudException Local(OssCall call, AlibabaCloudErrorKind kind, string code, string message, Exception inner) =>
        new(kind, code, message, null, null, call.Action, inner);

    [LoggerMessage(EventId = 40, Level = LogLevel.Debug, Message = "Calling OSS {Action} on bucket {Bucket} key {Key} with credentials from {CredentialSource}")]
    private static partial void LogSending(ILogger logger, string action, string bucket, string key, string credentialSource);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "A presigned link to OSS bucket {Bucket} was signed with temporary (STS) credentials: it stops working when they expire, which may be well before its {LifetimeSeconds} s; presign with a RAM user's key for links that last")]
    private static partial void LogTemporaryLink(ILogger logger, string bucket, long lifetimeSeconds);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "OSS {Action} on bucket {Bucket} failed: HTTP {Status} {Code}, request id {RequestId}")]
    private static partial void LogFailed(ILogger logger, string action, string bucket, int status, string code, string? requestId);
}

/// <summary>Reads a ListObjectsV2 answer with a plain XML reader (no reflection), decoding url-encoded keys.</summary>
internal static class OssListParser
{
    public static OssListResult Parse(Stream body)
    {
        using var reader = XmlReader.Create(body, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true });
        var objects = new List<OssObjectInfo>();
        var prefixes = new List<string>();
        var truncated = false;
        string? next = null;
        var urlEncoded = false;
        reader.MoveToContent();
        reader.ReadStartElement("ListBucketResult");
        while (reader.NodeType == XmlNodeType.Element)
        {
            switch (reader.LocalName)
            {
                case "EncodingType": urlEncoded = reader.ReadElementContentAsString() == "url"; break;
                case "IsTruncated": truncated = reader.ReadElementContentAsString() == "true"; break;
                case "NextContinuationToken": next = reader.ReadElementContentAsString(); break;
                case "Contents": objects.Add(ReadContents(reader)); break;
                case "CommonPrefixes":
                    reader.ReadStartElement();
                    while (reader.NodeType == XmlNodeType.Element)
                    {
                        if (reader.LocalName == "Prefix")
                        {
                            prefixes.Add(reader.ReadElementContentAsString());
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    reader.ReadEndElement();
                    break;
                default: reader.Skip(); break;
            }
        }

        if (urlEncoded)
        {
            // EncodingType=url applies to Key, Prefix, StartAfter, Delimiter; the XML element order does not matter.
            objects = objects.Select(o => o with { Key = Uri.UnescapeDataString(o.Key) }).ToList();
            prefixes = prefixes.Select(Uri.UnescapeDataString).ToList();
        }

        return new OssListResult(objects, prefixes, truncated, string.IsNullOrEmpty(next) ? null : next);
    }

    private static OssObjectInfo ReadContents(XmlReader reader)
    {
        string key = string.Empty;
        string? etag = null;
        long? size = null;
        DateTimeOffset? modified = null;
        reader.ReadStartElement("Contents");
        while (reader.NodeType == XmlNodeType.Element)
        {
            switch (reader.LocalName)
            {
                case "Key": key = reader.ReadElementContentAsString(); break;
                case "ETag": etag = reader.ReadElementContentAsString(); break;
                case "Size": size = long.Parse(reader.ReadElementContentAsString(), CultureInfo.InvariantCulture); break;
                case "LastModified":
                    modified = DateTimeOffset.Parse(reader.ReadElementContentAsString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    break;
                default: reader.Skip(); break;
            }
        }

        reader.ReadEndElement();
        return new OssObjectInfo(key, etag, size, modified, null, new Dictionary<string, string>());
    }
}
