namespace AckFc.Worker;

/// <summary>Marks the timer parameter of a function called by a Function Compute timer trigger.</summary>
/// <param name="schedule">The trigger's cron: six fields with seconds, optionally prefixed <c>CRON_TZ=&lt;zone&gt; </c>.</param>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class TimerTriggerAttribute(string schedule) : Attribute
{
    public string Schedule { get; } = schedule;
}
