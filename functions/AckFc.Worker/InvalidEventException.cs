namespace AckFc.Worker;

/// <summary>An event body that cannot be used; its message is safe to return to Function Compute.</summary>
public sealed class InvalidEventException(string message) : Exception(message);
