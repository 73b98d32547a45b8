namespace AckFc.Worker;

/// <summary>What kind of trigger a function has.</summary>
public enum TriggerKind
{
    Http,
    Timer,
    /// <summary>An EventBridge trigger: Function Compute posts one CloudEvent per invocation to <c>/invoke</c>.</summary>
    EventBridge,
}
