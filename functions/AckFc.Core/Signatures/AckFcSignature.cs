using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AckFc.Core.Signatures;

/// <summary>
/// The <c>X-AckFc-Signature</c> scheme (contracts §4), the one copy: the webhook verifies with it and the signed
/// notification channel signs with it. The header is <c>t=&lt;unix seconds&gt;,kid=&lt;keyId&gt;,v1=&lt;hex HMAC-SHA256&gt;</c>
/// over <c>&lt;t&gt;.&lt;METHOD&gt;.&lt;path and query as sent&gt;.&lt;lowercase hex SHA-256 of the body&gt;</c>.
/// </summary>
public static class AckFcSignature
{
    public const string HeaderName = "X-AckFc-Signature";

    /// <summary>The header value for a request.</summary>
    public static string Create(string keyId, string secret, long unixSeconds, string method, string pathAndQuery, ReadOnlySpan<byte> body) =>
        $"t={unixSeconds.ToString(CultureInfo.InvariantCulture)},kid={keyId},v1={Compute(secret, unixSeconds, method, pathAndQuery, body)}";

    /// <summary>The <c>v1</c> value: lowercase hex HMAC-SHA256, keyed with the UTF-8 secret; the method is upper-cased.</summary>
    public static string Compute(string secret, long unixSeconds, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(method);
        var signed = $"{unixSeconds.ToString(CultureInfo.InvariantCulture)}.{method.ToUpperInvariant()}.{pathAndQuery}.{Convert.ToHexStringLower(SHA256.HashData(body))}";
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(signed)));
    }
}
