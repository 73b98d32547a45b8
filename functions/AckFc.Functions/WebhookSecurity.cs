using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AckFc.Core.Signatures;

namespace AckFc.Functions;

/// <summary>The outcome of a signature check: the key id that signed, or why the request is refused.</summary>
/// <param name="KeyId">The key id that signed the request; null when refused.</param>
/// <param name="Problem">Why it is refused (401), for the caller.</param>
/// <param name="RetryLater">
/// Refused because the signature cannot be checked now (the keys or the replay memory are unavailable, or the replay
/// memory is full): 503 with <c>Retry-After</c>, nothing was done.
/// </param>
public readonly record struct SignatureCheck(string? KeyId, string? Problem, bool RetryLater = false)
{
    public void Deconstruct(out string? keyId, out string? problem)
    {
        keyId = KeyId;
        problem = Problem;
    }
}

/// <summary>
/// Checks signatures in constant time, then asks the <see cref="IReplayMemory"/> whether the signature was used before
/// inside the window. Stateless itself: the memory holds what was seen.
/// </summary>
public sealed class WebhookAuthenticator
{
    /// <summary>The 401 of a replay, whichever memory caught it.</summary>
    public const string ReplayProblem = "This signature was already used: a replay.";

    /// <summary>The 503 while the shared replay memory cannot be reached.</summary>
    public const string ReplayMemoryUnavailableProblem =
        "The shared replay memory could not be reached, so this signature cannot be checked for a replay; nothing was done. Try again shortly.";

    private readonly WebhookOptions options;
    private readonly TimeProvider time;
    private readonly IReplayMemory replayMemory;
    private readonly WebhookKeySource? keySource;

    /// <summary>An authenticator with its own per-instance replay memory.</summary>
    public WebhookAuthenticator(WebhookOptions options, TimeProvider time, WebhookKeySource? keySource = null)
        : this(options, time, new InMemoryReplayMemory(options, time), keySource)
    {
    }

    public WebhookAuthenticator(WebhookOptions options, TimeProvider time, IReplayMemory replayMemory, WebhookKeySource? keySource = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(replayMemory);
        this.options = options;
        this.time = time;
        this.replayMemory = replayMemory;
        this.keySource = keySource;
    }

    /// <summary>
    /// The key id that signed the request, or why it is refused (401; 503 when the keys or the replay memory are
    /// unavailable, or the memory is full). The signature is checked before the first await, so the body may be a span.
    /// </summary>
    public ValueTask<SignatureCheck> VerifyAsync(
        string? header, string method, string pathAndQuery, ReadOnlySpan<byte> body, CancellationToken cancellationToken = default)
    {
        var check = CheckSignature(header, method, pathAndQuery, body, out var signature, out var signedAt);
        return check.KeyId is { } keyId ? RememberAsync(keyId, signature!, signedAt, cancellationToken) : ValueTask.FromResult(check);
    }

    private async ValueTask<SignatureCheck> RememberAsync(string keyId, string signature, long signedAt, CancellationToken cancellationToken) =>
        await replayMemory.RememberAsync(keyId, signature, signedAt, cancellationToken) switch
        {
            ReplayVerdict.New => new(keyId, null),
            ReplayVerdict.Replay => new(null, ReplayProblem),
            ReplayVerdict.Full => new(null, $"More than {options.ReplayCapacity} signed requests arrived within {options.Window.TotalSeconds:0} seconds; try again shortly.", RetryLater: true),
            _ => new(null, ReplayMemoryUnavailableProblem, RetryLater: true),
        };

    /// <summary>Everything but the replay check: a valid signature gives the key id, its <c>v1</c> and its <c>t</c>.</summary>
    private SignatureCheck CheckSignature(string? header, string method, string pathAndQuery, ReadOnlySpan<byte> body, out string? signature, out long signedAt)
    {
        signature = null;
        signedAt = 0;
        // Keys from KMS (ACKFC_WEBHOOK_SECRET_NAME) win over ACKFC_WEBHOOK_SECRETS; unreadable ones refuse with 503.
        var secrets = keySource?.Current ?? options.Secrets;
        if (keySource?.Problem is { } unavailable)
        {
            return new(null, unavailable, RetryLater: true);
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

        signature = v1;
        signedAt = unix;
        return new(kid, null);
    }
}
