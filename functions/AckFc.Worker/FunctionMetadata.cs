namespace AckFc.Worker;

/// <summary>A registered function as declared in code, for the host's routing and the s.yaml drift test.</summary>
/// <param name="Methods">Every method its routes take (the HTTP trigger's methods), in declaration order.</param>
/// <param name="Routes">The HTTP routes serving it, in registration order; empty for a timer.</param>
/// <param name="FilterPattern">The EventBridge trigger's event pattern (JSON text, as s.yaml carries it); null for other triggers.</param>
public sealed record FunctionMetadata(
    string Name, TriggerKind Trigger, IReadOnlyList<string> Methods, string? Schedule, IReadOnlyList<FunctionRoute> Routes, string? FilterPattern = null);
