namespace AckFc.Worker;

/// <summary>Marks the event parameter of a function called by a Function Compute EventBridge trigger.</summary>
/// <param name="filterPattern">
/// The trigger's event pattern, a JSON object exactly as s.yaml's <c>eventRuleFilterPattern</c> carries it (a string);
/// the s.yaml drift test compares the two as JSON.
/// </param>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class EventBridgeTriggerAttribute(string filterPattern) : Attribute
{
    public string FilterPattern { get; } = filterPattern;
}
