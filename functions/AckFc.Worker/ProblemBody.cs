namespace AckFc.Worker;

/// <summary>RFC 9457 problem details.</summary>
public sealed record ProblemBody(string Type, string Title, int Status, string Detail, string? Field = null);
