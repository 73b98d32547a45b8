using System.Collections.Concurrent;

namespace AckFc.Core.Guard;

/// <summary>
/// What one instance of the guard remembers between events (a singleton): the event ids handled (bounded, oldest
/// forgotten first), those in progress, the last-known alias → key map per region, the keys and clusters with an action
/// in flight, and the times of recent actions for the hourly cap.
/// </summary>
internal sealed class GuardState
{
    /// <summary>Event ids remembered, most recent first kept.</summary>
    public const int Capacity = 10_000;

    private readonly Lock gate = new();
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private readonly Queue<string> order = new();
    private readonly HashSet<string> inProgress = new(StringComparer.Ordinal);
    private readonly HashSet<string> notified = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> actions = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> aliases = new(StringComparer.Ordinal);

    /// <summary>Starts handling an event; false when it was handled already or is being handled now.</summary>
    public bool TryBegin(string eventKey)
    {
        lock (gate)
        {
            return !seen.Contains(eventKey) && inProgress.Add(eventKey);
        }
    }

    /// <summary>Ends handling: a handled event is remembered, a failed one may come again (FC retries it).</summary>
    public void End(string eventKey, bool handled)
    {
        lock (gate)
        {
            inProgress.Remove(eventKey);
            if (handled)
            {
                Remember(eventKey);
            }
        }
    }

    /// <summary>Records that an event was handled (also when another instance's marker says so).</summary>
    public void Remember(string eventKey)
    {
        lock (gate)
        {
            if (!seen.Add(eventKey))
            {
                return;
            }

            order.Enqueue(eventKey);
            while (order.Count > Capacity)
            {
                var oldest = order.Dequeue();
                seen.Remove(oldest);
                notified.Remove(oldest);
            }
        }
    }

    public bool WasHandled(string eventKey)
    {
        lock (gate)
        {
            return seen.Contains(eventKey);
        }
    }

    /// <summary>True the first time an event's alert is sent by this instance (a retried event does not alert twice).</summary>
    public bool TryMarkNotified(string eventKey)
    {
        lock (gate)
        {
            return notified.Count < Capacity * 2 && notified.Add(eventKey);
        }
    }

    /// <summary>Takes one action from the hourly budget; false when <paramref name="maxPerHour"/> were taken in the last hour.</summary>
    public bool TryTakeAction(DateTimeOffset now, int maxPerHour)
    {
        lock (gate)
        {
            while (actions.Count > 0 && now - actions.Peek() >= TimeSpan.FromHours(1))
            {
                actions.Dequeue();
            }

            if (actions.Count >= maxPerHour)
            {
                return false;
            }

            actions.Enqueue(now);
            return true;
        }
    }

    /// <summary>Gives back a budget entry taken at <paramref name="taken"/> for an action that was not applied after all.</summary>
    public void ReturnAction(DateTimeOffset taken)
    {
        lock (gate)
        {
            var kept = new List<DateTimeOffset>(actions);
            if (kept.Remove(taken))
            {
                actions.Clear();
                foreach (var a in kept)
                {
                    actions.Enqueue(a);
                }
            }
        }
    }

    /// <summary>
    /// Serialises the events of one key (or cluster) in this instance from the key's read to the end of its actions, so
    /// the second of two events reads the state the first left and acts only if that still calls for it.
    /// </summary>
    public async Task<IDisposable> LockAsync(string target, CancellationToken token)
    {
        var gateOf = locks.GetOrAdd(target, _ => new SemaphoreSlim(1, 1));
        await gateOf.WaitAsync(token);
        return new Releaser(gateOf);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }

    /// <summary>The key an alias last named in a region, if this instance has seen it.</summary>
    public string? KeyOfAlias(string region, string alias) =>
        aliases.TryGetValue(region, out var map) && map.TryGetValue(alias, out var key) ? key : null;

    /// <summary>Learns aliases from a listing (deleted ones stay known: that is what a DeleteAlias event needs).</summary>
    public void LearnAliases(string region, IEnumerable<(string Alias, string KeyId)> listed)
    {
        var map = aliases.GetOrAdd(region, _ => new ConcurrentDictionary<string, string>(StringComparer.Ordinal));
        foreach (var (alias, keyId) in listed)
        {
            if (map.Count < Capacity || map.ContainsKey(alias))
            {
                map[alias] = keyId;
            }
        }
    }
}
