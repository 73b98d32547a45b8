using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AckFc.AlibabaCloud.Signing;

/// <summary>The parts of one V3 signature, kept so tests and error messages can show each step.</summary>
/// <param name="CanonicalRequest">The canonical request exactly as hashed.</param>
/// <param name="StringToSign"><c>ACS3-HMAC-SHA256\n</c> + hex SHA-256 of the canonical request.</param>
/// <param name="Signature">Lowercase hex HMAC-SHA256 of the string to sign.</param>
/// <param name="SignedHeaders">Lowercase header names, sorted, joined with <c>;</c>.</param>
public sealed record AcsSignature(string CanonicalRequest, string StringToSign, string Signature, string SignedHeaders)
{
    /// <summary>The <c>Authorization</c> header value for this signature.</summary>
    public string AuthorizationHeader(string accessKeyId) =>
        $"{AcsV3Signer.Algorithm} Credential={accessKeyId},SignedHeaders={SignedHeaders},Signature={Signature}";
}

/// <summary>The fields of an <c>ACS3-HMAC-SHA256</c> Authorization header.</summary>
public sealed record AcsAuthorization(string AccessKeyId, IReadOnlyList<string> SignedHeaders, string Signature);

/// <summary>
/// Alibaba Cloud signature V3 (<c>ACS3-HMAC-SHA256</c>), as documented in "Request syntax and signature
/// method V3". Pure functions: the client signs with them and the emulator verifies with the same steps,
/// while the official SDK interop test guards against both sides sharing one mistake.
/// </summary>
public static class AcsV3Signer
{
    public const string Algorithm = "ACS3-HMAC-SHA256";

    /// <summary>Hex SHA-256 of zero bytes: the payload hash of every request without a body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>Headers V3 requires to be signed when present: <c>host</c>, <c>content-type</c>, every <c>x-acs-*</c>.</summary>
    public static bool MustSign(string lowerCaseName) =>
        lowerCaseName is "host" or "content-type" || lowerCaseName.StartsWith("x-acs-", StringComparison.Ordinal);

    /// <summary>Computes the signature over already canonical URI and query.</summary>
    /// <param name="method">HTTP method; upper-cased here.</param>
    /// <param name="canonicalUri">The path exactly as sent (RPC: <c>/</c>).</param>
    /// <param name="canonicalQuery">From <see cref="CanonicalQuery"/>; empty when there is no query.</param>
    /// <param name="headers">The headers to sign (names in any case); values are trimmed.</param>
    /// <param name="payloadHash">Lowercase hex SHA-256 of the body bytes.</param>
    /// <param name="accessKeySecret">The HMAC key, used raw.</param>
    public static AcsSignature Sign(
        string method,
        string canonicalUri,
        string canonicalQuery,
        IEnumerable<KeyValuePair<string, string>> headers,
        string payloadHash,
        string accessKeySecret)
    {
        var sorted = headers
            .Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), h.Value.Trim()))
            .OrderBy(h => h.Key, StringComparer.Ordinal)
            .ToList();

        var canonical = new StringBuilder(512)
            .Append(method.ToUpperInvariant()).Append('\n')
            .Append(canonicalUri).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in sorted)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        var signedHeaders = string.Join(';', sorted.Select(h => h.Key));
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);

        var canonicalRequest = canonical.ToString();
        var stringToSign = Algorithm + "\n" + Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKeySecret), Encoding.UTF8.GetBytes(stringToSign));
        return new AcsSignature(canonicalRequest, stringToSign, Convert.ToHexStringLower(mac), signedHeaders);
    }

    /// <summary>Lowercase hex SHA-256.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// RFC 3986 percent-encoding of the UTF-8 bytes: <c>A–Z a–z 0–9 - _ . ~</c> stay, everything else
    /// (including space, <c>*</c> and <c>/</c>) becomes <c>%XX</c> in upper case.
    /// </summary>
    public static string PercentEncode(string value) => PercentEncode(value, Unreserved);

    /// <summary>
    /// Percent-encoding of the UTF-8 bytes, upper-case hex, keeping the ASCII characters in <paramref name="keep"/>
    /// (the OSS V4 signer keeps <c>/</c> in object keys too; everything else is the same encoding).
    /// </summary>
    internal static string PercentEncode(string value, SearchValues<char> keep)
    {
        if (value.AsSpan().IndexOfAnyExcept(keep) < 0)
        {
            return value;
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var count = Encoding.UTF8.GetBytes(value, rented);
            var builder = new StringBuilder(count * 3);
            foreach (var b in rented.AsSpan(0, count))
            {
                if (b < 128 && keep.Contains((char)b))
                {
                    builder.Append((char)b);
                }
                else
                {
                    builder.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
                }
            }

            return builder.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A path from segments, each percent-encoded: <c>["clusters", "c 1/2"]</c> → <c>/clusters/c%201%2F2</c>.</summary>
    public static string EncodePath(params ReadOnlySpan<string> segments)
    {
        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            builder.Append('/').Append(PercentEncode(segment));
        }

        return builder.Length == 0 ? "/" : builder.ToString();
    }

    /// <summary>The canonical query: names and values percent-encoded, sorted by name (ordinal), joined by <c>&amp;</c>.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var encoded = parameters
            .Select(p => (Name: PercentEncode(p.Key), Value: PercentEncode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', encoded.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>
    /// The canonical query of a raw query string as received (without the leading <c>?</c>): each pair is
    /// percent-decoded and re-encoded, so the server agrees with any client that encodes per RFC 3986.
    /// </summary>
    public static string CanonicalQueryFromRaw(string rawQuery) => CanonicalQuery(ParseRawQuery(rawQuery));

    /// <summary>Splits and percent-decodes a raw query string (<c>+</c> is kept: V3 clients send <c>%20</c>).</summary>
    public static IEnumerable<KeyValuePair<string, string>> ParseRawQuery(string rawQuery) => SplitRawQuery(rawQuery, Uri.UnescapeDataString);

    /// <summary>Splits a raw query string (a leading <c>?</c> allowed) into pairs, each part decoded by <paramref name="decode"/>; a bare name has an empty value.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> SplitRawQuery(string rawQuery, Func<string, string> decode)
    {
        var query = rawQuery.StartsWith('?') ? rawQuery[1..] : rawQuery;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            yield return new(decode(eq < 0 ? pair : pair[..eq]), decode(eq < 0 ? string.Empty : pair[(eq + 1)..]));
        }
    }

    /// <summary>Parses <c>ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…</c>; null when it is not one.</summary>
    public static AcsAuthorization? ParseAuthorization(string? header)
    {
        if (AuthorizationFields.Parse(header, Algorithm, AuthorizationNames, skipEmptyParts: false) is not [var credential, var signedHeaders, var signature]
            || string.IsNullOrEmpty(credential) || signedHeaders is null || string.IsNullOrEmpty(signature))
        {
            return null;
        }

        return new AcsAuthorization(credential, signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries), signature);
    }

    private static readonly string[] AuthorizationNames = ["Credential", "SignedHeaders", "Signature"];

    /// <summary>The <c>x-acs-date</c> format: UTC <c>yyyy-MM-ddTHH:mm:ssZ</c>.</summary>
    public static string FormatDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A fresh <c>x-acs-signature-nonce</c>: 32 random hex characters.</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static readonly SearchValues<char> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");

    private const string HexUpper = "0123456789ABCDEF";
}
