using System.Collections.Concurrent;
using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using AckFc.AlibabaCloud.Oss;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AckFc.Local.Emulator;

/// <summary>An object kept by the emulated OSS.</summary>
internal sealed record OssStoredObject(byte[] Content, string ContentType, string ETag, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> Metadata, string? ContentDisposition);

/// <summary>
/// The emulated OSS on the emulator's one URL: buckets in memory (<c>ackfc-reports</c> by default), addressed
/// virtual-hosted (bucket from the Host header, <c>{bucket}.oss-{region}.aliyuncs.com</c>), path style
/// (<c>/{bucket}/{key}</c>) or, for a Host that names no bucket and a path whose first segment is not one, the
/// default bucket. Verifies V4 and V1 signatures (header and presigned URL), answers PutObject (create-only with
/// <c>x-oss-forbid-overwrite</c>; conditional headers refused with 400 NotImplemented, as OSS does), GetObject and
/// HeadObject (conditional, HEAD errors in <c>x-oss-err</c> without a body), DeleteObject (204 for a missing key)
/// and ListObjectsV2.
/// </summary>
internal sealed class OssApi(EmulatorState state, IReadOnlyList<EmulatorCredential> credentials, TimeSpan maxSkew, ILogger logger)
{
    public const string DefaultBucket = "ackfc-reports";
    private const int MaxObjectBytes = 256 * 1024 * 1024;

    private static readonly string[] V1SubResources =
    [
        "acl", "bucketInfo", "location", "stat", "delete", "append", "tagging", "objectMeta", "uploads", "uploadId", "partNumber",
        "security-token", "position", "response-content-type", "response-content-language", "response-expires",
        "response-cache-control", "response-content-disposition", "response-content-encoding", "restore", "callback",
        "callback-var", "versions", "versioning", "versionId", "sequential", "continuation-token", "regionList", "cloudboxes", "symlink",
    ];

    private readonly Dictionary<string, EmulatorCredential> _credentials =
        credentials.GroupBy(c => c.AccessKeyId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, OssStoredObject>> _buckets =
        new(StringComparer.Ordinal) { [DefaultBucket] = new(StringComparer.Ordinal) };

    /// <summary>Whether a request is meant for OSS: an OSS signature (header or URL), or a bucket host name.</summary>
    public static bool IsOssRequest(HttpRequest request, string rawQuery)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(OssV4Signer.Algorithm + " ", StringComparison.Ordinal) || authorization.StartsWith("OSS ", StringComparison.Ordinal))
        {
            return true;
        }

        if (rawQuery.Contains("x-oss-signature", StringComparison.Ordinal) || rawQuery.Contains("OSSAccessKeyId=", StringComparison.Ordinal))
        {
            return true;
        }

        return BucketFromHost(request.Headers.Host.ToString()) is not null;
    }

    /// <summary>Makes a bucket exist (idempotent).</summary>
    public void EnsureBucket(string name) => _buckets.GetOrAdd(name, _ => new(StringComparer.Ordinal));

    /// <summary>The keys of a bucket, sorted (tests).</summary>
    public IReadOnlyList<string> Keys(string bucket) =>
        _buckets.TryGetValue(bucket, out var objects) ? [.. objects.Keys.Order(StringComparer.Ordinal)] : [];

    /// <summary>The content of an object (tests); throws naming the key when there is none.</summary>
    public byte[] Read(string bucket, string key) =>
        _buckets.TryGetValue(bucket, out var objects) && objects.TryGetValue(key, out var stored)
            ? stored.Content
            : throw new KeyNotFoundException($"No object '{key}' in bucket '{bucket}'.");

    public async Task HandleAsync(HttpContext context, string rawPath, string rawQuery)
    {
        var request = context.Request;
        var requestId = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var host = request.Headers.Host.ToString();
        var (bucket, key) = Address(host, rawPath);
        var query = OssV4Signer.ParseRawQuery(rawQuery).GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value ?? string.Empty, StringComparer.Ordinal);
        var action = Action(request.Method, key, query);
        var ct = context.RequestAborted;
        context.Response.Headers["x-oss-request-id"] = requestId;
        string? caller = null;
        int status;
        string? code = null;
        try
        {
            var profile = state.Faults.IsEmpty ? null : state.Faults.For(action, rawPath + (rawQuery.Length > 0 ? "?" + rawQuery : ""));
            if (profile is not null && profile.LatencyMilliseconds + profile.JitterMilliseconds > 0)
            {
                await Task.Delay(profile.LatencyMilliseconds + (profile.JitterMilliseconds > 0 ? state.Faults.NextInt(profile.JitterMilliseconds) : 0), ct).ConfigureAwait(false);
            }

            var body = request.Method is "PUT" or "POST" ? await ReadBodyAsync(request, ct).ConfigureAwait(false) : [];
            caller = Verify(request, bucket, key, rawQuery, query);
            if (profile is not null)
            {
                if (state.Faults.Throttle(action, profile, state.Time.GetUtcNow()) is not null)
                {
                    // OSS's own throttling answers (help.aliyun.com "HTTP status code 503" and "429"): the account's
                    // total QPS (503 TotalQpsLimitExceeded) or the request rate (429 QpsLimitExceeded).
                    EmulatorLog.FaultInjected(logger, action, "throttled");
                    throw profile.ThrottleStatusCode == 400
                        ? new ApiException(503, "TotalQpsLimitExceeded", "Max total qps limit is exceeded.")
                        : new ApiException(429, "QpsLimitExceeded", "Please reduce your request rate.");
                }

                if (profile.ServiceUnavailableRate > 0 && state.Faults.NextDouble() < profile.ServiceUnavailableRate)
                {
                    EmulatorLog.FaultInjected(logger, action, "503");
                    throw new ApiException(503, "ServiceUnavailable", "Please try again.");
                }

                if (profile.TakeFailure())
                {
                    EmulatorLog.FaultInjected(logger, action, profile.FailErrorCode);
                    throw new ApiException(profile.FailStatusCode, profile.FailErrorCode, $"{profile.FailErrorCode} (injected by the AckFc emulator).");
                }
            }

            if (!_buckets.TryGetValue(bucket, out var objects))
            {
                throw new ApiException(404, "NoSuchBucket", $"The specified bucket does not exist: {bucket}.");
            }

            status = action switch
            {
                "PutObject" => Put(context, objects, key, body),
                "GetObject" or "HeadObject" => await GetAsync(context, objects, key, query, head: action == "HeadObject", ct).ConfigureAwait(false),
                "DeleteObject" => Delete(context, objects, key),
                "ListObjectsV2" => await ListAsync(context, bucket, objects, query, ct).ConfigureAwait(false),
                _ => throw new ApiException(400, "NotImplemented", $"The emulated OSS does not implement {request.Method} with this query ({action})."),
            };
        }
        catch (ApiException ex)
        {
            status = ex.Status;
            code = ex.Code;
            await WriteErrorAsync(context, ex, requestId, host, key).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            status = 0;
            code = "ClientGaveUp";
        }

        state.Record(new CallRecord(state.Time.GetUtcNow(), "OSS", action, null, request.Method, rawPath + (rawQuery.Length > 0 ? "?" + rawQuery : ""), status, code, requestId, caller));
        EmulatorLog.Answered(logger, "OSS", action, bucket, status, code ?? "", requestId);
    }

    internal static string? BucketFromHost(string host)
    {
        var name = host.Split(':')[0];
        var marker = name.IndexOf(".oss-", StringComparison.OrdinalIgnoreCase);
        return marker > 0 ? name[..marker].ToLowerInvariant() : null;
    }

    private (string Bucket, string Key) Address(string host, string rawPath)
    {
        var path = rawPath.StartsWith('/') ? rawPath[1..] : rawPath;
        if (BucketFromHost(host) is { } hosted)
        {
            return (hosted, Uri.UnescapeDataString(path));
        }

        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var first = Uri.UnescapeDataString(slash < 0 ? path : path[..slash]);
        // An IP host is always path style; a host name (localhost as a CNAME) names the default bucket unless the
        // path starts with a bucket the emulator serves.
        var hostName = host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)] : host.Split(':')[0];
        var ipHost = Uri.CheckHostName(hostName.Trim('[', ']')) is UriHostNameType.IPv4 or UriHostNameType.IPv6;
        if (first.Length > 0 && (ipHost || _buckets.ContainsKey(first)))
        {
            return (first, slash < 0 ? string.Empty : Uri.UnescapeDataString(path[(slash + 1)..]));
        }

        return (DefaultBucket, Uri.UnescapeDataString(path));
    }

    private static string Action(string method, string key, Dictionary<string, string> query) => (method, key.Length == 0) switch
    {
        ("GET", true) when query.GetValueOrDefault("list-type") == "2" => "ListObjectsV2",
        ("GET", true) => "ListObjects",
        ("PUT", false) => "PutObject",
        ("GET", false) => "GetObject",
        ("HEAD", false) => "HeadObject",
        ("DELETE", false) => "DeleteObject",
        _ => method + (key.Length == 0 ? " bucket" : " object"),
    };

    // ---------------------------------------------------------------- signatures

    private string Verify(HttpRequest request, string bucket, string key, string rawQuery, Dictionary<string, string> query)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(OssV4Signer.Algorithm + " ", StringComparison.Ordinal))
        {
            return VerifyV4Header(request, bucket, key, rawQuery, authorization);
        }

        if (authorization.StartsWith("OSS ", StringComparison.Ordinal))
        {
            return VerifyV1(request, bucket, key, query, authorization["OSS ".Length..], presignExpires: null);
        }

        if (query.ContainsKey("x-oss-signature"))
        {
            return VerifyV4Query(request, bucket, key, rawQuery, query);
        }

        if (query.TryGetValue("OSSAccessKeyId", out var v1Key) && query.TryGetValue("Signature", out var v1Signature) && query.TryGetValue("Expires", out var expires))
        {
            return VerifyV1(request, bucket, key, query, v1Key + ":" + v1Signature, expires);
        }

        throw new ApiException(403, "AccessDenied", "You have no right to access this object because of bucket acl (anonymous access is refused).");
    }

    private string VerifyV4Header(HttpRequest request, string bucket, string key, string rawQuery, string header)
    {
        var authorization = OssV4Signer.ParseAuthorization(header)
            ?? throw new ApiException(400, "InvalidArgument", "Authorization is not 'OSS4-HMAC-SHA256 Credential=ak/yyyyMMdd/region/oss/aliyun_v4_request[,AdditionalHeaders=a;b],Signature=hex'.");
        var date = Header(request, "x-oss-date") ?? throw new ApiException(403, "AccessDenied", "The x-oss-date header is missing.");
        if (Header(request, "x-oss-content-sha256") != OssV4Signer.UnsignedPayload)
        {
            throw new ApiException(400, "InvalidArgument", "Set the x-oss-content-sha256 header to UNSIGNED-PAYLOAD.");
        }

        var sentAt = ParseTimestamp(date);
        if ((state.Time.GetUtcNow() - sentAt).Duration() > maxSkew)
        {
            throw new ApiException(403, "RequestTimeTooSkewed", $"The difference between the request time {date} and the server's time is too large.");
        }

        if (authorization.Date != date[..8] || authorization.Product != OssV4Signer.Product)
        {
            throw new ApiException(403, "SignatureDoesNotMatch", "The Credential's date or product does not match x-oss-date / oss.");
        }

        var credential = Credential(authorization.AccessKeyId);
        CheckToken(credential, Header(request, "x-oss-security-token"));
        var headers = Headers(request);
        var additional = OssV4Signer.AdditionalHeaderNames(authorization.AdditionalHeaders, headers);
        var expected = OssV4Signer.Sign(
            request.Method, OssV4Signer.CanonicalUri(bucket, key), OssV4Signer.CanonicalQuery(OssV4Signer.ParseRawQuery(rawQuery)),
            headers, additional, date, authorization.Region, credential.AccessKeySecret);
        Compare(expected, authorization.Signature);
        return credential.AccessKeyId;
    }

    private string VerifyV4Query(HttpRequest request, string bucket, string key, string rawQuery, Dictionary<string, string> query)
    {
        if (query.GetValueOrDefault("x-oss-signature-version") != OssV4Signer.Algorithm)
        {
            throw new ApiException(400, "InvalidArgument", "x-oss-signature-version must be OSS4-HMAC-SHA256.");
        }

        var scope = OssV4Signer.ParseCredential(query.GetValueOrDefault("x-oss-credential") ?? string.Empty)
            ?? throw new ApiException(400, "InvalidArgument", "x-oss-credential is not ak/yyyyMMdd/region/oss/aliyun_v4_request.");
        var date = query.GetValueOrDefault("x-oss-date") ?? throw new ApiException(400, "InvalidArgument", "x-oss-date is missing.");
        if (!int.TryParse(query.GetValueOrDefault("x-oss-expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 604800)
        {
            throw new ApiException(400, "InvalidArgument", "x-oss-expires must be 1..604800 seconds.");
        }

        var signedAt = ParseTimestamp(date);
        var now = state.Time.GetUtcNow();
        if (now > signedAt.AddSeconds(seconds))
        {
            throw new ApiException(403, "AccessDenied", "Request has expired.");
        }

        if (signedAt - now > maxSkew)
        {
            throw new ApiException(403, "RequestTimeTooSkewed", "x-oss-date is in the future.");
        }

        var credential = Credential(scope.AccessKeyId);
        CheckToken(credential, query.GetValueOrDefault("x-oss-security-token"));
        var headers = Headers(request);
        var additional = OssV4Signer.AdditionalHeaderNames(
            (query.GetValueOrDefault("x-oss-additional-headers") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries), headers);
        var signedQuery = OssV4Signer.ParseRawQuery(rawQuery).Where(p => p.Key != "x-oss-signature");
        var expected = OssV4Signer.Sign(
            request.Method, OssV4Signer.CanonicalUri(bucket, key), OssV4Signer.CanonicalQuery(signedQuery),
            headers, additional, date, scope.Region, credential.AccessKeySecret);
        Compare(expected, query["x-oss-signature"]);
        return credential.AccessKeyId;
    }

    private string VerifyV1(HttpRequest request, string bucket, string key, Dictionary<string, string> query, string keyAndSignature, string? presignExpires)
    {
        var colon = keyAndSignature.LastIndexOf(':');
        if (colon <= 0)
        {
            throw new ApiException(400, "InvalidArgument", "Authorization is not 'OSS AccessKeyId:Signature'.");
        }

        var credential = Credential(keyAndSignature[..colon]);
        var token = presignExpires is null ? Header(request, "x-oss-security-token") : query.GetValueOrDefault("security-token");
        CheckToken(credential, token);
        string dateLine;
        if (presignExpires is not null)
        {
            if (!long.TryParse(presignExpires, NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || state.Time.GetUtcNow().ToUnixTimeSeconds() > expires)
            {
                throw new ApiException(403, "AccessDenied", "Request has expired.");
            }

            dateLine = presignExpires;
        }
        else
        {
            dateLine = Header(request, "Date") ?? Header(request, "x-oss-date") ?? throw new ApiException(403, "AccessDenied", "The Date header is missing.");
            if (!DateTimeOffset.TryParse(dateLine, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sentAt)
                || (state.Time.GetUtcNow() - sentAt).Duration() > maxSkew)
            {
                throw new ApiException(403, "RequestTimeTooSkewed", $"The difference between the request time '{dateLine}' and the server's time is too large.");
            }
        }

        var builder = new StringBuilder()
            .Append(request.Method).Append('\n')
            .Append(Header(request, "Content-MD5")).Append('\n')
            .Append(Header(request, "Content-Type")).Append('\n')
            .Append(dateLine).Append('\n');
        foreach (var (name, value) in Headers(request).Where(h => h.Key.StartsWith("x-oss-", StringComparison.Ordinal)).OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            builder.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }

        builder.Append('/').Append(bucket).Append('/').Append(key);
        var resources = query.Where(p => V1SubResources.Contains(p.Key, StringComparer.Ordinal) || p.Key.StartsWith("x-oss-", StringComparison.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.Length == 0 ? p.Key : p.Key + "=" + p.Value).ToList();
        if (resources.Count > 0)
        {
            builder.Append('?').Append(string.Join('&', resources));
        }

#pragma warning disable CA5350 // V1 is HMAC-SHA1 by definition; the emulator verifies what old clients send.
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(credential.AccessKeySecret), Encoding.UTF8.GetBytes(builder.ToString())));
#pragma warning restore CA5350
        if (!FixedEquals(expected, keyAndSignature[(colon + 1)..]))
        {
            throw new ApiException(403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your key and signing method. StringToSign: "
                + builder.ToString().Replace("\n", "\\n", StringComparison.Ordinal));
        }

        return credential.AccessKeyId;
    }

    private static void Compare(OssV4Signature expected, string provided)
    {
        if (!FixedEquals(expected.Signature, provided))
        {
            // The string to sign holds only a hash of the canonical request, never a secret or token.
            throw new ApiException(403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your key and signing method. StringToSign: "
                + expected.StringToSign.Replace("\n", "\\n", StringComparison.Ordinal));
        }
    }

    private EmulatorCredential Credential(string accessKeyId) =>
        _credentials.TryGetValue(accessKeyId, out var credential)
            ? credential
            : throw new ApiException(403, "InvalidAccessKeyId", $"The OSS Access Key Id you provided does not exist in our records: {accessKeyId}.");

    private static void CheckToken(EmulatorCredential credential, string? token)
    {
        if (credential.SecurityToken is { } expected && !FixedEquals(expected, token ?? string.Empty))
        {
            throw new ApiException(403, "InvalidSecurityToken", "The security token you provided is invalid.");
        }
    }

    private static DateTimeOffset ParseTimestamp(string value) =>
        DateTimeOffset.TryParseExact(value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new ApiException(400, "InvalidArgument", $"'{value}' is not a timestamp yyyyMMddTHHmmssZ.");

    private static List<KeyValuePair<string, string>> Headers(HttpRequest request) =>
        request.Headers.Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value.ToString())).ToList();

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var value) && value.Count > 0 ? value.ToString() : null;

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    // ---------------------------------------------------------------- operations

    private int Put(HttpContext context, ConcurrentDictionary<string, OssStoredObject> objects, string key, byte[] body)
    {
        var request = context.Request;
        foreach (var conditional in (ReadOnlySpan<string>)["If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"])
        {
            if (request.Headers.ContainsKey(conditional))
            {
                throw new ApiException(400, "NotImplemented", "A header you provided implies functionality that is not implemented.") { Header = conditional };
            }
        }

        var forbid = Header(request, "x-oss-forbid-overwrite");
        if (forbid is not null and not "true" and not "false")
        {
            throw new ApiException(400, "InvalidArgument", $"x-oss-forbid-overwrite must be true or false, not '{forbid}'.");
        }

#pragma warning disable CA5351 // Content-MD5 and the ETag are MD5 by the OSS protocol.
        var md5 = MD5.HashData(body);
#pragma warning restore CA5351
        if (Header(request, "Content-MD5") is { } sentMd5 && sentMd5 != Convert.ToBase64String(md5))
        {
            throw new ApiException(400, "InvalidDigest", "The Content-MD5 you specified is not valid.");
        }

        var metadata = request.Headers.Where(h => h.Key.StartsWith("x-oss-meta-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key["x-oss-meta-".Length..].ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var stored = new OssStoredObject(body, Header(request, "Content-Type") ?? "application/octet-stream",
            "\"" + Convert.ToHexString(md5) + "\"", state.Time.GetUtcNow(), metadata, Header(request, "Content-Disposition"));
        if (forbid == "true")
        {
            if (!objects.TryAdd(key, stored))
            {
                throw new ApiException(409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.");
            }
        }
        else
        {
            objects[key] = stored;
        }

        context.Response.StatusCode = 200;
        context.Response.Headers.ETag = stored.ETag;
        context.Response.ContentLength = 0;
        return 200;
    }

    private static async Task<int> GetAsync(
        HttpContext context, ConcurrentDictionary<string, OssStoredObject> objects, string key, Dictionary<string, string> query, bool head, CancellationToken ct)
    {
        if (!objects.TryGetValue(key, out var stored))
        {
            throw new ApiException(404, "NoSuchKey", "The specified key does not exist.");
        }

        var request = context.Request;
        if (Header(request, "If-Match") is { } match && !ETagMatches(match, stored.ETag))
        {
            throw new ApiException(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.") { Header = "If-Match" };
        }

        var response = context.Response;
        response.Headers.ETag = stored.ETag;
        response.Headers.LastModified = stored.LastModified.ToString("R", CultureInfo.InvariantCulture);
        if (Header(request, "If-None-Match") is { } none && ETagMatches(none, stored.ETag))
        {
            response.StatusCode = 304;
            return 304;
        }

        foreach (var (name, value) in stored.Metadata)
        {
            response.Headers["x-oss-meta-" + name] = value;
        }

        response.StatusCode = 200;
        response.ContentType = query.GetValueOrDefault("response-content-type") ?? stored.ContentType;
        // A presigned link opens in the browser here (the real default domain forces a download; a custom domain does not).
        response.Headers.ContentDisposition = query.GetValueOrDefault("response-content-disposition") ?? stored.ContentDisposition ?? "inline";
        response.ContentLength = stored.Content.Length;
        if (!head)
        {
            await response.Body.WriteAsync(stored.Content, ct).ConfigureAwait(false);
        }

        return 200;
    }

    private static int Delete(HttpContext context, ConcurrentDictionary<string, OssStoredObject> objects, string key)
    {
        objects.TryRemove(key, out _);
        context.Response.StatusCode = 204;
        return 204;
    }

    private static async Task<int> ListAsync(
        HttpContext context, string bucket, ConcurrentDictionary<string, OssStoredObject> objects, Dictionary<string, string> query, CancellationToken ct)
    {
        var maxKeys = 100;
        if (query.TryGetValue("max-keys", out var max) &&
            (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out maxKeys) || maxKeys is < 1 or > 1000))
        {
            throw new ApiException(400, "InvalidArgument", "max-keys must be an integer between 1 and 1000.");
        }

        var prefix = query.GetValueOrDefault("prefix") ?? string.Empty;
        var delimiter = query.GetValueOrDefault("delimiter") ?? string.Empty;
        var startAfter = query.GetValueOrDefault("start-after") ?? string.Empty;
        var encode = query.GetValueOrDefault("encoding-type") == "url";
        string after = startAfter;
        if (query.TryGetValue("continuation-token", out var token) && token.Length > 0)
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + new string('=', (4 - token.Length % 4) % 4)));
            }
            catch (FormatException)
            {
                throw new ApiException(400, "InvalidArgument", "The continuation-token is not one this bucket issued.");
            }
        }

        var entries = new List<(string Key, OssStoredObject? Object)>();
        var seenPrefixes = new HashSet<string>(StringComparer.Ordinal);
        string? last = null;
        var truncated = false;
        foreach (var name in objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && string.CompareOrdinal(k, after) > 0).Order(StringComparer.Ordinal))
        {
            var entry = name;
            if (delimiter.Length > 0)
            {
                var cut = name.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (cut >= 0)
                {
                    entry = name[..(cut + delimiter.Length)];
                }
            }

            if (entry != name && !seenPrefixes.Add(entry))
            {
                continue;
            }

            if (entries.Count == maxKeys)
            {
                truncated = true;
                break;
            }

            entries.Add((entry, entry == name && objects.TryGetValue(name, out var o) ? o : null));
            // A common prefix is skipped past as a whole on the next page.
            last = entry == name ? name : entry + "\uFFFF";
        }

        string Text(string value) => SecurityElement.Escape(encode ? OssV4Signer.UriEncode(value, keepSlash: false) : value);
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>")
            .Append("<Name>").Append(SecurityElement.Escape(bucket)).Append("</Name>")
            .Append("<Prefix>").Append(Text(prefix)).Append("</Prefix>")
            .Append("<MaxKeys>").Append(maxKeys.ToString(CultureInfo.InvariantCulture)).Append("</MaxKeys>");
        if (delimiter.Length > 0)
        {
            xml.Append("<Delimiter>").Append(Text(delimiter)).Append("</Delimiter>");
        }

        if (startAfter.Length > 0)
        {
            xml.Append("<StartAfter>").Append(Text(startAfter)).Append("</StartAfter>");
        }

        if (encode)
        {
            xml.Append("<EncodingType>url</EncodingType>");
        }

        xml.Append("<IsTruncated>").Append(truncated ? "true" : "false").Append("</IsTruncated>");
        if (token is { Length: > 0 })
        {
            xml.Append("<ContinuationToken>").Append(SecurityElement.Escape(token)).Append("</ContinuationToken>");
        }

        if (truncated && last is not null)
        {
            var next = Convert.ToBase64String(Encoding.UTF8.GetBytes(last)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            xml.Append("<NextContinuationToken>").Append(next).Append("</NextContinuationToken>");
        }

        foreach (var (name, stored) in entries.Where(e => e.Object is not null))
        {
            xml.Append("<Contents><Key>").Append(Text(name)).Append("</Key>")
                .Append("<LastModified>").Append(stored!.LastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append("</LastModified>")
                .Append("<ETag>").Append(SecurityElement.Escape(stored.ETag)).Append("</ETag>")
                .Append("<Type>Normal</Type><Size>").Append(stored.Content.Length.ToString(CultureInfo.InvariantCulture)).Append("</Size>")
                .Append("<StorageClass>Standard</StorageClass></Contents>");
        }

        foreach (var (name, _) in entries.Where(e => e.Object is null))
        {
            xml.Append("<CommonPrefixes><Prefix>").Append(Text(name)).Append("</Prefix></CommonPrefixes>");
        }

        xml.Append("<KeyCount>").Append(entries.Count.ToString(CultureInfo.InvariantCulture)).Append("</KeyCount></ListBucketResult>");
        var bytes = Encoding.UTF8.GetBytes(xml.ToString());
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/xml";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
        return 200;
    }

    private static bool ETagMatches(string condition, string etag) =>
        condition.Trim() == "*" || condition.Split(',', StringSplitOptions.TrimEntries).Any(c => string.Equals(c.Trim('"'), etag.Trim('"'), StringComparison.OrdinalIgnoreCase));

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxObjectBytes)
            {
                throw new ApiException(400, "EntityTooLarge", $"Your proposed upload exceeds the emulator's maximum object size ({MaxObjectBytes} bytes).");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async Task WriteErrorAsync(HttpContext context, ApiException error, string requestId, string host, string key)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }

        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n")
            .Append("  <Code>").Append(SecurityElement.Escape(error.Code)).Append("</Code>\n")
            .Append("  <Message>").Append(SecurityElement.Escape(error.Message)).Append("</Message>\n")
            .Append("  <RequestId>").Append(requestId).Append("</RequestId>\n")
            .Append("  <HostId>").Append(SecurityElement.Escape(host)).Append("</HostId>\n");
        if (error.Code == "NoSuchKey")
        {
            xml.Append("  <Key>").Append(SecurityElement.Escape(key)).Append("</Key>\n");
        }

        if (error.Header is { } header)
        {
            xml.Append("  <Header>").Append(header).Append("</Header>\n");
        }

        var bytes = Encoding.UTF8.GetBytes(xml.Append("</Error>\n").ToString());
        response.StatusCode = error.Status;
        response.Headers["x-oss-request-id"] = requestId;
        if (context.Request.Method == "HEAD")
        {
            // HEAD answers carry no body: the error travels base64-encoded in x-oss-err.
            response.Headers["x-oss-err"] = Convert.ToBase64String(bytes);
            return;
        }

        response.ContentType = "application/xml";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }
}
