using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AckFc.Functions.Tests.Webhook;

/// <summary>
/// A caller's signer written from the contract text alone (X-AckFc-Signature: the HMAC-SHA256, keyed with the
/// UTF-8 secret, of <c>&lt;t&gt;.&lt;METHOD&gt;.&lt;path and query exactly as sent&gt;.&lt;lowercase hex SHA-256 of the
/// body bytes&gt;</c>). The end-to-end tests sign with this, never with the server's own code, so a change to the
/// server's string to sign cannot pass unnoticed as a round trip; its output is pinned to a vector computed
/// outside .NET (see <see cref="WebhookContractVectorTests"/>).
/// </summary>
internal static class ContractSigner
{
    /// <summary>The header value <c>t=…,kid=…,v1=…</c>.</summary>
    public static string Header(string keyId, string secret, long unixSeconds, string method, string pathAndQuery, byte[] body) =>
        "t=" + unixSeconds.ToString(CultureInfo.InvariantCulture) + ",kid=" + keyId + ",v1=" + V1(secret, unixSeconds, method, pathAndQuery, body);

    /// <summary>The header value for a request signed now.</summary>
    public static string Now(string keyId, string secret, string method, string pathAndQuery, byte[] body) =>
        Header(keyId, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), method, pathAndQuery, body);

    /// <summary>The header value for a request signed now, the body given as text (UTF-8).</summary>
    public static string Now(string keyId, string secret, string method, string pathAndQuery, string body) =>
        Now(keyId, secret, method, pathAndQuery, Encoding.UTF8.GetBytes(body));

    /// <summary>The string the contract says is signed.</summary>
    public static string StringToSign(long unixSeconds, string method, string pathAndQuery, byte[] body)
    {
        var bodyHash = new StringBuilder(64);
        foreach (var b in SHA256.HashData(body))
        {
            bodyHash.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return string.Join('.', unixSeconds.ToString(CultureInfo.InvariantCulture), method.ToUpperInvariant(), pathAndQuery, bodyHash.ToString());
    }

    public static string V1(string secret, long unixSeconds, string method, string pathAndQuery, byte[] body)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var mac = hmac.ComputeHash(Encoding.UTF8.GetBytes(StringToSign(unixSeconds, method, pathAndQuery, body)));
        return string.Concat(mac.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }
}
