using System.Collections.Concurrent;

namespace AckFc.Functions;

/// <summary>
/// The signatures this instance accepted inside the window, bounded by <c>ACKFC_WEBHOOK_REPLAY_CAPACITY</c>. On its own
/// it is the replay memory of a directory store; with an OSS store it is the first check in front of the shared one.
/// One per instance.
/// </summary>
internal sealed class InMemoryReplayMemory(WebhookOptions options, TimeProvider time) : IReplayMemory
{
    private readonly ConcurrentDictionary<string, long> seen = new(StringComparer.Ordinal);
    private int remembered;
    private long lastPrune;

    /// <summary>Signatures remembered now (each expires when it leaves the window).</summary>
    public int Remembered => Volatile.Read(ref remembered);

    public ValueTask<ReplayVerdict> RememberAsync(string keyId, string signature, long signedAt, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Remember(keyId, signature, signedAt));

    public ReplayVerdict Remember(string keyId, string signature, long signedAt)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        Prune(now, force: false);
        if (Remembered >= options.ReplayCapacity)
        {
            Prune(now, force: true);
            if (Remembered >= options.ReplayCapacity)
            {
                // Forgetting a signature early would let its replay through; refusing is the safe side.
                return ReplayVerdict.Full;
            }
        }

        if (!seen.TryAdd(Key(keyId, signature), signedAt))
        {
            return ReplayVerdict.Replay;
        }

        Interlocked.Increment(ref remembered);
        return ReplayVerdict.New;
    }

    /// <summary>
    /// Forgets a signature remembered by <see cref="Remember"/> whose request was then refused before anything was done
    /// (the shared memory could not be reached), so the caller may send the same request again.
    /// </summary>
    public void Forget(string keyId, string signature, long signedAt)
    {
        if (seen.TryRemove(new KeyValuePair<string, long>(Key(keyId, signature), signedAt)))
        {
            Interlocked.Decrement(ref remembered);
        }
    }

    private static string Key(string keyId, string signature) => keyId + ":" + signature;

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
