using System.Text.Json;

namespace AckFc.Local.Emulator;

/// <summary>One message a host's notification channel delivered to the emulator's inbox.</summary>
public sealed record InboxMessage(DateTimeOffset ReceivedAt, string ContentType, string Body)
{
    /// <summary>The body as JSON, or null when it is not JSON.</summary>
    public JsonElement? Json
    {
        get
        {
            try
            {
                return JsonSerializer.Deserialize<JsonElement>(Body);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}

/// <summary>
/// Where a local host's generic webhook channel posts (<c>POST /_emulator/notifications</c>): the notifications a sweep
/// or the guard sent, kept in arrival order so <c>serve</c> can show what was notified and what was not.
/// </summary>
public sealed class NotificationInbox
{
    /// <summary>The most messages kept; older ones are dropped first.</summary>
    public const int Capacity = 1000;

    private readonly Lock _gate = new();
    private readonly Queue<InboxMessage> _messages = new();

    /// <summary>Messages received since the emulator started (dropped ones included).</summary>
    public long Received { get; private set; }

    public void Add(InboxMessage message)
    {
        lock (_gate)
        {
            _messages.Enqueue(message);
            Received++;
            while (_messages.Count > Capacity)
            {
                _messages.Dequeue();
            }
        }
    }

    /// <summary>The messages kept, oldest first.</summary>
    public IReadOnlyList<InboxMessage> GetMessages()
    {
        lock (_gate)
        {
            return [.. _messages];
        }
    }
}
