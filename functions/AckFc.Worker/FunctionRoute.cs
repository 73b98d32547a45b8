namespace AckFc.Worker;

/// <summary>One HTTP entry point of a function: its route template (null: every path) and the methods it takes.</summary>
public sealed record FunctionRoute(string? Template, IReadOnlyList<string> Methods);
