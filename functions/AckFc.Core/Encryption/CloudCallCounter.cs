namespace AckFc.Core.Encryption;

/// <summary>Counts the cloud calls one piece of work makes (thread-safe), so an answer can report them.</summary>
internal sealed class CloudCallCounter
{
    private int count;

    public int Count => Volatile.Read(ref count);

    public void Add(int calls = 1) => Interlocked.Add(ref count, calls);
}
