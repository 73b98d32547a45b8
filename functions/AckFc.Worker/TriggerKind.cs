namespace AckFc.Worker;

/// <summary>What kind of trigger a function has.</summary>
public enum TriggerKind
{
    Http,
    Timer,
}
