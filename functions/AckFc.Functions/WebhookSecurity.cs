using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AckFc.Core.Signatures;

namespace AckFc.Functions;

/// <summary>The outcome of a signature check: the key id that signed, or why the request is refused.</summary>
/// <param name="KeyId">The key id that signed the request; null when refused.</param>
/// <param name="Problem">Why it is refused (401), for the caller.</param>
/// <param name="ReplayCacheFull">Refused because the replay memory is full: 503, try again shortly.</param>
public readonly record struct SignatureCheck(string? KeyId, string? Problem, bool ReplayCacheFull = false)
{
    public void Deconstruct(out string? keyId, out string? problem)
    {
        keyId = KeyId;
        problem = Problem;
    }
}

/// <summary>Checks signatures in constant time and rejects replays inside the window. One per instance.</summary>
public sealed class WebhookAuthenticator(WebhookOptions options, TimeProvider time, WebhookKeySource? keySource = null)
{
    private readonly ConcurrentDictionary<string, long> seen = new(StringComparer.Ordinal);
    private int remembered;
    private long lastPrune;

    /// <summary>Signatures remembered now (each expires when it leaves the window).</summary>
    public int Remembered => Volatile.Read(ref remembered);

    /// <summary>The key id that signed the request, or why it is refused (401, or 503 when the replay memory is full).</summary>
    public SignatureCheck Verify(string? header, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        // Keys from KMS (ACKFC_WEBHOOK_SECRET_NAME) win over ACKFC_WEBHOOK_SECRETS; unreadable ones refuse with 503.
        var secrets = keySource?.Current ?? options.Secrets;
        if (keySource?.Problem is { } unavailable)
        {
            return new(null, unavailable, ReplayCacheFull: true);
        }

        if (secrets.Count == 0)
        {
            return new(null, "This webhook has no signing secrets configured (ACKFC_WEBHOOK_SECRETS), so it accepts no signed request.");
        }

        if (string.IsNullOrWhiteSpace(header))
        {
            return new(null, $"The {AckFcSignature.HeaderName} header is missing.");
        }

        string? t = null, kid = null, v1 = null;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return new(null, $"The {AckFcSignature.HeaderName} header is not t=…,kid=…,v1=….");
            }

            // Two values for one name (several v1, or the header sent twice and joined with a comma) are ambiguous:
            // refused, rather than letting the last one win.
            var name = part[..eq];
            var value = part[(eq + 1)..];
            if (name is "t" or "kid" or "v1" && (name == "t" ? t : name == "kid" ? kid : v1) is not null)
            {
                return new(null, $"The {AckFcSignature.HeaderName} header has more than one {name} (several values, or the header sent more than once); send exactly one.");
            }

            switch (name)
            {
                case "t": t = value; break;
                case "kid": kid = value; break;
                case "v1": v1 = value; break;
            }
        }

        if (t is null || kid is null || v1 is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
        {
            return new(null, $"The {AckFcSignature.HeaderName} header needs t (unix seconds), kid and v1.");
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - unix) > (long)options.Window.TotalSeconds)
        {
            return new(null, $"The signature time is more than {options.Window.TotalSeconds:0} seconds from the server's clock.");
        }

        if (!secrets.TryGetValue(kid, out var secret))
        {
            return new(null, "The signature's key id is not known.");
        }

        var expected = AckFcSignature.Compute(secret, unix, method, pathAndQuery, body);
        if (v1.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(v1), Encoding.ASCII.GetBytes(expected)))
        {
            return new(null, "The signature does not match the request.");
        }

        Prune(now, force: false);
        if (Remembered >= options.ReplayCapacity)
        {
            Prune(now, force: true);
            if (Remembered >= options.ReplayCapacity)
            {
                // Forgetting a signature early would let its replay through; refusing is the safe side.
                return new(null, $"More than {options.ReplayCapacity} signed requests arrived within {options.Window.TotalSeconds:0} seconds; try again shortly.", ReplayCacheFull: true);
            }
        }

        if (!seen.TryAdd(kid + ":" + v1, unix))
        {
            return new(null, "This signature was already used: a replay.");
        }

        Interlocked.Increment(ref remembered);
        return new(kid, null);
    }

    private void Prune(long now, bool force)
    {
        if (!force && now - Interlocked.Read(ref lastPrune) < 30)
        {
            return;
        }

        Interlocked.Exchange(ref lastPrune, now);
        var horizon = (long)options.Window.TotalSeconds;
        foreach (var (key, unix) in seen)
        {
            if (Math.Abs(now - unix) > horizon && seen.TryRemove(key, out _))
            {
                Interlocked.Decrement(ref remembered);
            }
        }
    }
}
