using System.Collections.Concurrent;

namespace AckFc.Core.Encryption;

/// <summary>Clusters with a change in flight in this instance: a second request for the same cluster is a conflict, not a second call.</summary>
internal sealed class ChangeLocks
{
    private readonly ConcurrentDictionary<string, byte> inFlight = new(StringComparer.Ordinal);

    public bool TryEnter(string clusterId) => inFlight.TryAdd(clusterId, 0);

    public void Exit(string clusterId) => inFlight.TryRemove(clusterId, out _);
}
