using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AckFc.AlibabaCloud.Signing;

namespace AckFc.AlibabaCloud.Oss;

/// <summary>Every step of one OSS V4 signature, kept so tests and the emulator can show where two sides disagree.</summary>
/// <param name="CanonicalRequest">The canonical request exactly as hashed.</param>
/// <param name="StringToSign"><c>OSS4-HMAC-SHA256\n{timestamp}\n{scope}\n{hex sha256 of the canonical request}</c>.</param>
/// <param name="SigningKey">The derived key, lowercase hex.</param>
/// <param name="Signature">Lowercase hex HMAC-SHA256 of the string to sign.</param>
/// <param name="AdditionalHeaders">The signed extra header names (<c>abc;zabc</c>), empty when none.</param>
/// <param name="Scope"><c>{date}/{region}/oss/aliyun_v4_request</c>.</param>
public sealed record OssV4Signature(
    string CanonicalRequest, string StringToSign, string SigningKey, string Signature, string AdditionalHeaders, string Scope)
{
    /// <summary>The <c>Authorization</c> header value for this signature.</summary>
    public string AuthorizationHeader(string accessKeyId) =>
        $"{OssV4Signer.Algorithm} Credential={accessKeyId}/{Scope}"
        + (AdditionalHeaders.Length > 0 ? $",AdditionalHeaders={AdditionalHeaders}" : string.Empty)
        + $",Signature={Signature}";
}

/// <summary>The fields of an <c>OSS4-HMAC-SHA256</c> Authorization header.</summary>
public sealed record OssV4Authorization(
    string AccessKeyId, string Date, string Region, string Product, IReadOnlyList<string> AdditionalHeaders, string Signature);

/// <summary>
/// OSS signature V4 (<c>OSS4-HMAC-SHA256</c>) for header-signed requests and presigned URLs. Pure functions: the
/// client signs with them and the emulator verifies with the same steps; the official SDK vectors and the ali-oss
/// interop test keep both sides honest.
/// </summary>
public static class OssV4Signer
{
    public const string Algorithm = "OSS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string Product = "oss";
    public const string Terminator = "aliyun_v4_request";

    /// <summary>Longest lifetime of a presigned URL OSS accepts: 7 days.</summary>
    public static readonly TimeSpan MaxPresignLifetime = TimeSpan.FromDays(7);

    /// <summary><c>x-oss-date</c> format: UTC <c>yyyyMMddTHHmmssZ</c>.</summary>
    public static string FormatTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// RFC 3986 encoding of the UTF-8 bytes, upper-case hex; <c>/</c> kept when <paramref name="keepSlash"/>.
    /// </summary>
    public static string UriEncode(string value, bool keepSlash) =>
        AcsV3Signer.PercentEncode(value, keepSlash ? UnreservedAndSlash : Unreserved);

    /// <summary>The canonical URI <c>/{bucket}/{key}</c> (<c>/{bucket}/</c> for bucket requests, <c>/</c> for the service).</summary>
    public static string CanonicalUri(string? bucket, string? key) =>
        UriEncode("/" + (string.IsNullOrEmpty(bucket) ? string.Empty : bucket + "/") + (key ?? string.Empty), keepSlash: true);

    /// <summary>
    /// The canonical query of unencoded parameters: names and values encoded, sorted by encoded name (then value,
    /// ordinal), an empty value written as the bare name.
    /// </summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string?>> parameters) =>
        string.Join('&', parameters
            .Select(p => (Name: UriEncode(p.Key, false), Value: string.IsNullOrEmpty(p.Value) ? string.Empty : UriEncode(p.Value, false)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Value.Length == 0 ? p.Name : p.Name + "=" + p.Value));

    /// <summary>Splits and percent-decodes a raw query string as received (<c>+</c> read as a space, as form encoding means it).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ParseRawQuery(string rawQuery) =>
        AcsV3Signer.SplitRawQuery(rawQuery, part => Uri.UnescapeDataString(part.Replace('+', ' '))).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value));

    /// <summary>Whether V4 always signs a header (<c>content-type</c>, <c>content-md5</c>, every <c>x-oss-*</c>).</summary>
    public static bool IsDefaultSigned(string lowerCaseName) =>
        lowerCaseName is "content-type" or "content-md5" || lowerCaseName.StartsWith("x-oss-", StringComparison.Ordinal);

    /// <summary>
    /// The <c>AdditionalHeaders</c> list: lowercased, de-duplicated, sorted, without default-signed names and names
    /// the request does not carry.
    /// </summary>
    public static IReadOnlyList<string> AdditionalHeaderNames(IEnumerable<string>? requested, IEnumerable<KeyValuePair<string, string>> headers)
    {
        if (requested is null)
        {
            return [];
        }

        var present = headers.Select(h => h.Key.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        return requested
            .Select(n => n.Trim().ToLowerInvariant())
            .Where(n => n.Length > 0 && !IsDefaultSigned(n) && present.Contains(n))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The canonical request over the request's headers (only the signed ones are used).</summary>
    public static string CanonicalRequest(
        string method,
        string canonicalUri,
        string canonicalQuery,
        IEnumerable<KeyValuePair<string, string>> headers,
        IReadOnlyList<string> additionalHeaders)
    {
        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var lower = name.ToLowerInvariant();
            if (IsDefaultSigned(lower) || additionalHeaders.Contains(lower))
            {
                signed[lower] = signed.TryGetValue(lower, out var earlier) ? earlier + "," + value.Trim() : value.Trim();
            }
        }

        var builder = new StringBuilder(512)
            .Append(method.ToUpperInvariant()).Append('\n')
            .Append(canonicalUri).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in signed)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', additionalHeaders)).Append('\n')
            .Append(signed.TryGetValue("x-oss-content-sha256", out var hash) ? hash : UnsignedPayload);
        return builder.ToString();
    }

    /// <summary><c>{yyyyMMdd}/{region}/oss/aliyun_v4_request</c>.</summary>
    public static string Scope(string timestamp, string region) => $"{timestamp[..8]}/{region}/{Product}/{Terminator}";

    public static string StringToSign(string timestamp, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{timestamp}\n{scope}\n{AcsV3Signer.Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest))}";

    /// <summary>HMAC chain <c>"aliyun_v4"+secret</c> → date → region → <c>oss</c> → <c>aliyun_v4_request</c>.</summary>
    public static byte[] SigningKey(string accessKeySecret, string date, string region)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("aliyun_v4" + accessKeySecret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Product));
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Terminator));
    }

    /// <summary>Computes the signature of a request whose canonical URI and query are given.</summary>
    /// <param name="timestamp"><c>x-oss-date</c> (header signing) or the presign time, <c>yyyyMMddTHHmmssZ</c>.</param>
    public static OssV4Signature Sign(
        string method,
        string canonicalUri,
        string canonicalQuery,
        IEnumerable<KeyValuePair<string, string>> headers,
        IReadOnlyList<string> additionalHeaders,
        string timestamp,
        string region,
        string accessKeySecret)
    {
        var canonicalRequest = CanonicalRequest(method, canonicalUri, canonicalQuery, headers, additionalHeaders);
        var scope = Scope(timestamp, region);
        var stringToSign = StringToSign(timestamp, scope, canonicalRequest);
        var key = SigningKey(accessKeySecret, timestamp[..8], region);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign));
        return new OssV4Signature(
            canonicalRequest, stringToSign, Convert.ToHexStringLower(key), Convert.ToHexStringLower(mac), string.Join(';', additionalHeaders), scope);
    }

    /// <summary>
    /// Signs a request in its headers: the caller's <paramref name="headers"/> must already hold <c>x-oss-date</c>,
    /// <c>x-oss-content-sha256</c> and, with STS credentials, <c>x-oss-security-token</c>.
    /// </summary>
    public static OssV4Signature SignHeaders(
        string method,
        string? bucket,
        string? key,
        IEnumerable<KeyValuePair<string, string?>> query,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        IEnumerable<string>? additionalHeaders,
        string region,
        string accessKeySecret)
    {
        var timestamp = headers.FirstOrDefault(h => string.Equals(h.Key, "x-oss-date", StringComparison.OrdinalIgnoreCase)).Value
            ?? throw new ArgumentException("The headers must carry x-oss-date.", nameof(headers));
        var additional = AdditionalHeaderNames(additionalHeaders, headers);
        return Sign(method, CanonicalUri(bucket, key), CanonicalQuery(query), headers, additional, timestamp, region, accessKeySecret);
    }

    /// <summary>
    /// The query parameters of a presigned URL: <paramref name="query"/> followed by the <c>x-oss-*</c> signature
    /// parameters, <c>x-oss-signature</c> last. Unencoded; put them on the URL with <see cref="UriEncode"/>.
    /// </summary>
    public static (IReadOnlyList<KeyValuePair<string, string?>> Query, OssV4Signature Signature) Presign(
        string method,
        string? bucket,
        string? key,
        IEnumerable<KeyValuePair<string, string?>> query,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        IEnumerable<string>? additionalHeaders,
        string region,
        string accessKeyId,
        string accessKeySecret,
        string? securityToken,
        DateTimeOffset signTime,
        TimeSpan lifetime)
    {
        if (lifetime < TimeSpan.FromSeconds(1) || lifetime > MaxPresignLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "A presigned URL lives between 1 second and 7 days.");
        }

        var timestamp = FormatTimestamp(signTime);
        var additional = AdditionalHeaderNames(additionalHeaders, headers);
        var parameters = query.ToList();
        // In canonical order, as ali-oss puts them on the URL.
        if (additional.Count > 0)
        {
            parameters.Add(new("x-oss-additional-headers", string.Join(';', additional)));
        }

        parameters.Add(new("x-oss-credential", $"{accessKeyId}/{Scope(timestamp, region)}"));
        parameters.Add(new("x-oss-date", timestamp));
        parameters.Add(new("x-oss-expires", ((long)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
        if (!string.IsNullOrEmpty(securityToken))
        {
            parameters.Add(new("x-oss-security-token", securityToken));
        }

        parameters.Add(new("x-oss-signature-version", Algorithm));

        var signature = Sign(method, CanonicalUri(bucket, key), CanonicalQuery(parameters), headers, additional, timestamp, region, accessKeySecret);
        parameters.Add(new("x-oss-signature", signature.Signature));
        return (parameters, signature);
    }

    /// <summary>A query string (without <c>?</c>) from unencoded parameters, in the given order; empty values as <c>name=</c>.</summary>
    public static string EncodeQuery(IEnumerable<KeyValuePair<string, string?>> parameters) =>
        string.Join('&', parameters.Select(p => UriEncode(p.Key, false) + "=" + UriEncode(p.Value ?? string.Empty, false)));

    /// <summary>
    /// Parses <c>OSS4-HMAC-SHA256 Credential=ak/date/region/oss/aliyun_v4_request[,AdditionalHeaders=a;b],Signature=…</c>
    /// (parts separated by <c>,</c> with optional spaces); null when it is not one.
    /// </summary>
    public static OssV4Authorization? ParseAuthorization(string? header) =>
        AuthorizationFields.Parse(header, Algorithm, AuthorizationNames, skipEmptyParts: true) is [{ } credential, var additional, { Length: > 0 } signature]
        && ParseCredential(credential) is { } c
            ? c with { AdditionalHeaders = (additional ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries), Signature = signature }
            : null;

    private static readonly string[] AuthorizationNames = ["Credential", "AdditionalHeaders", "Signature"];

    /// <summary>Parses <c>ak/yyyyMMdd/region/oss/aliyun_v4_request</c>; the key id may itself contain no <c>/</c>.</summary>
    public static OssV4Authorization? ParseCredential(string credential)
    {
        var parts = credential.Split('/');
        return parts.Length == 5 && parts[0].Length > 0 && parts[1].Length == 8 && parts[2].Length > 0 && parts[4] == Terminator
            ? new OssV4Authorization(parts[0], parts[1], parts[2], parts[3], [], string.Empty)
            : null;
    }

    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");

    private static readonly SearchValues<char> UnreservedAndSlash =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/");

}
