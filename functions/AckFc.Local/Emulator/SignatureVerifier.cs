using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AckFc.AlibabaCloud.Signing;
using Microsoft.AspNetCore.Http;

namespace AckFc.Local.Emulator;

/// <summary>
/// Nonces seen recently. An entry lives until its request's <c>x-acs-date</c> leaves the skew window: after that
/// the date check refuses a replay anyway, so memory is bounded by the request rate times the window.
/// </summary>
internal sealed class NonceCache(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private long _nextPurge;

    public int Count => _seen.Count;

    /// <summary>True if the nonce is new (and is now remembered until <paramref name="expires"/>).</summary>
    public bool TryUse(string nonce, DateTimeOffset expires)
    {
        var now = time.GetUtcNow().UtcTicks;
        PurgeIfDue(now);
        while (true)
        {
            if (_seen.TryAdd(nonce, expires.UtcTicks))
            {
                return true;
            }

            if (_seen.TryGetValue(nonce, out var until) && until > now)
            {
                return false;
            }

            // An expired entry the purge has not reached yet: replace it.
            if (_seen.TryUpdate(nonce, expires.UtcTicks, until))
            {
                return true;
            }
        }
    }

    public void Clear() => _seen.Clear();

    private void PurgeIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextPurge);
        if (now < due || Interlocked.CompareExchange(ref _nextPurge, now + TimeSpan.TicksPerMinute, due) != due)
        {
            return;
        }

        foreach (var (nonce, until) in _seen)
        {
            if (until <= now)
            {
                _seen.TryRemove(new KeyValuePair<string, long>(nonce, until));
            }
        }
    }
}

/// <summary>
/// Verifies <c>ACS3-HMAC-SHA256</c> signatures the way the gateway does: on the raw request target, with the
/// body hash, the signed-header rule, the clock skew and the nonce. Failures are <see cref="ApiException"/>s.
/// </summary>
internal sealed class SignatureVerifier(IReadOnlyList<EmulatorCredential> credentials, TimeSpan maxSkew, EmulatorState state)
{
    private readonly Dictionary<string, EmulatorCredential> _credentials =
        credentials.GroupBy(c => c.AccessKeyId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    /// <summary>Checks the request's signature V3; returns the access key id it was signed with and its identity.</summary>
    public VerifiedCaller Verify(HttpRequest request, string rawPath, string rawQuery, ReadOnlySpan<byte> body)
    {
        var authorizationHeader = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(authorizationHeader))
        {
            throw Incomplete("The Authorization header is missing: sign the request with ACS3-HMAC-SHA256.");
        }

        var authorization = AcsV3Signer.ParseAuthorization(authorizationHeader)
            ?? throw Incomplete(
                "The Authorization header is not 'ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2>,Signature=<hex>' " +
                "(the emulator accepts signature V3 only).");

        var date = Header(request, "x-acs-date") ?? throw Incomplete("The x-acs-date header is missing.");
        var nonce = Header(request, "x-acs-signature-nonce") ?? throw Incomplete("The x-acs-signature-nonce header is missing.");
        var contentHash = Header(request, "x-acs-content-sha256") ?? throw Incomplete("The x-acs-content-sha256 header is missing.");
        if (string.IsNullOrEmpty(request.Headers.Host.ToString()))
        {
            throw Incomplete("The host header is missing.");
        }

        if (!DateTimeOffset.TryParseExact(date, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var sentAt))
        {
            throw new ApiException(400, "InvalidTimeStamp.Format", $"x-acs-date '{date}' is not UTC yyyy-MM-ddTHH:mm:ssZ.");
        }

        var now = state.Time.GetUtcNow();
        if ((now - sentAt).Duration() > maxSkew)
        {
            throw new ApiException(400, "InvalidTimeStamp.Expired",
                $"Specified time stamp or date value is expired: x-acs-date {date} is more than {maxSkew.TotalMinutes:0} minutes from the server time {AcsV3Signer.FormatDate(now)}.");
        }

        StsSession? session = null;
        if (!_credentials.TryGetValue(authorization.AccessKeyId, out var credential))
        {
            // Temporary credentials AssumeRole issued: they carry their security token and an expiry.
            session = state.FindSession(authorization.AccessKeyId)
                ?? throw new ApiException(404, "InvalidAccessKeyId.NotFound", $"Specified access key is not found: {authorization.AccessKeyId}.");
            credential = new EmulatorCredential(session.AccessKeyId, session.AccessKeySecret, session.SecurityToken)
            {
                Identity = new EmulatorIdentity("assumed-role", $"{session.RoleName}:{session.SessionName}"),
            };
        }

        var signed = new HashSet<string>(authorization.SignedHeaders, StringComparer.Ordinal);
        foreach (var header in request.Headers)
        {
            var name = header.Key.ToLowerInvariant();
            if (AcsV3Signer.MustSign(name) && !signed.Contains(name))
            {
                throw Incomplete($"The header '{name}' is present but not in SignedHeaders: every x-acs-* header, host and content-type must be signed.");
            }
        }

        var headers = new List<KeyValuePair<string, string>>(signed.Count);
        foreach (var name in authorization.SignedHeaders)
        {
            if (name.Any(char.IsUpper))
            {
                throw Incomplete($"SignedHeaders must be lower case: '{name}'.");
            }

            var value = request.Headers[name];
            if (value.Count == 0)
            {
                throw Incomplete($"The header '{name}' is in SignedHeaders but not in the request.");
            }

            headers.Add(new(name, value.ToString()));
        }

        var token = Header(request, "x-acs-security-token");
        if (session is not null && string.IsNullOrEmpty(token))
        {
            throw new ApiException(400, "MissingSecurityToken", $"SecurityToken is mandatory for this action: {session.AccessKeyId} is an STS access key.");
        }
        if (credential.SecurityToken is { } expected && !FixedEquals(expected, token ?? ""))
        {
            throw new ApiException(400, "InvalidSecurityToken.MismatchWithAccessKey",
                $"The security token does not belong to access key {credential.AccessKeyId}.");
        }

        if (session is not null && now >= session.Expiration)
        {
            throw new ApiException(400, "InvalidSecurityToken.Expired",
                $"Specified SecurityToken is expired: it expired at {AcsV3Signer.FormatDate(session.Expiration)}, the server time is {AcsV3Signer.FormatDate(now)}.");
        }

        var accessKeyHeader = Header(request, "x-acs-accesskey-id");
        if (accessKeyHeader is not null && accessKeyHeader != credential.AccessKeyId)
        {
            throw Incomplete("x-acs-accesskey-id differs from the Credential of the Authorization header.");
        }

        var bodyHash = AcsV3Signer.Sha256Hex(body);
        if (!string.Equals(bodyHash, contentHash, StringComparison.Ordinal))
        {
            throw new ApiException(400, "SignatureDoesNotMatch",
                $"x-acs-content-sha256 {contentHash} is not the SHA-256 of the {body.Length} body bytes received ({bodyHash}).");
        }

        var expectedSignature = AcsV3Signer.Sign(
            request.Method, rawPath, AcsV3Signer.CanonicalQueryFromRaw(rawQuery), headers, bodyHash, credential.AccessKeySecret);
        if (!FixedEquals(expectedSignature.Signature, authorization.Signature))
        {
            // What the real gateway shows: the server's string to sign. The canonical request is added because it
            // is what a client author needs to find the difference; neither contains the secret.
            throw new ApiException(400, "SignatureDoesNotMatch",
                "Specified signature does not match our calculation. server string to sign is:" + expectedSignature.StringToSign +
                " canonical request is:" + expectedSignature.CanonicalRequest.Replace("\n", "\\n", StringComparison.Ordinal));
        }

        if (!state.Nonces.TryUse(nonce, sentAt + maxSkew))
        {
            throw new ApiException(400, "SignatureNonceUsed", $"Specified signature nonce was used already: {nonce}.");
        }

        return new VerifiedCaller(
            credential.AccessKeyId,
            credential.Identity ?? (string.IsNullOrEmpty(token) ? EmulatorIdentity.DefaultUser : EmulatorIdentity.DefaultRole),
            session);
    }

    private static string? Header(HttpRequest request, string name)
    {
        var value = request.Headers[name];
        return value.Count == 0 ? null : value.ToString();
    }

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static ApiException Incomplete(string message) => new(400, "IncompleteSignature", message);
}
