namespace AckFc.Functions;

/// <summary>What the replay memory says about a valid signature it was asked to remember.</summary>
public enum ReplayVerdict
{
    /// <summary>Not seen inside the window: remembered now, the request may go on.</summary>
    New,

    /// <summary>Already used inside the window (on this instance, or on any instance sharing the memory): 401.</summary>
    Replay,

    /// <summary>The per-instance memory holds as many signatures as it may: 503, try again shortly.</summary>
    Full,

    /// <summary>The shared memory could not be reached, so a replay cannot be ruled out: 503, nothing was done.</summary>
    Unavailable,
}

/// <summary>
/// Where the webhook remembers the signatures it accepted, so that the same signature is refused for the rest of the
/// window (contracts §4). Per instance by default; shared by every instance when the report store is OSS.
/// Registered in one place, <see cref="WebhookServiceCollectionExtensions.AddAckFcWebhook"/>.
/// </summary>
public interface IReplayMemory
{
    /// <summary>
    /// Remembers a signature that was already checked to be valid, unless it was seen before. Never throws for a cloud
    /// failure: that is <see cref="ReplayVerdict.Unavailable"/>.
    /// </summary>
    /// <param name="keyId">The key id that signed.</param>
    /// <param name="signature">The signature's <c>v1</c> value.</param>
    /// <param name="signedAt">The signature's <c>t</c> (Unix seconds): it is forgotten once that leaves the window.</param>
    /// <param name="cancellationToken">The invocation's token.</param>
    ValueTask<ReplayVerdict> RememberAsync(string keyId, string signature, long signedAt, CancellationToken cancellationToken = default);
}
