namespace AckFc.Functions;

/// <summary>
/// One <c>POST /sweeps</c> at a time per instance: a fleet sweep inside the webhook's memory and time is bounded to
/// one; a second caller is told to come back (409 with Retry-After) instead of doubling the load.
/// </summary>
public sealed class SweepGate
{
    private int running;

    /// <summary>Takes the gate; false when a sweep already holds it. Dispose the result to release it.</summary>
    public bool TryEnter(out IDisposable? release)
    {
        if (Interlocked.CompareExchange(ref running, 1, 0) != 0)
        {
            release = null;
            return false;
        }

        release = new Release(this);
        return true;
    }

    private sealed class Release(SweepGate gate) : IDisposable
    {
        private int done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref done, 1) == 0)
            {
                Volatile.Write(ref gate.running, 0);
            }
        }
    }
}
