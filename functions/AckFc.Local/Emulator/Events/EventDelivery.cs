namespace AckFc.Local.Emulator;

/// <summary>One attempt to post an event to a sink.</summary>
/// <param name="EventId">The event's id.</param>
/// <param name="Sink">The sink it went to.</param>
/// <param name="Duplicate">True for the second delivery of a duplicated event.</param>
/// <param name="Status">The HTTP status answered; 0 when no answer came.</param>
/// <param name="Succeeded">2xx and no failed <c>x-fc-status</c>.</param>
/// <param name="Problem">Why it failed, when it did.</param>
public sealed record EventDelivery(string EventId, Uri Sink, bool Duplicate, int Status, bool Succeeded, string? Problem);
