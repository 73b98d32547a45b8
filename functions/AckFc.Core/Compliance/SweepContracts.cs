namespace AckFc.Core.Compliance;

/// <summary>What to sweep: the timer payload of contracts §3 (<c>{"mode":"report"}</c>) plus who asked.</summary>
/// <param name="Mode">Report, or remediate what the policy enables.</param>
/// <param name="Regions">Regions to sweep; null or empty means the configured regions.</param>
/// <param name="SweepId">Stable id: for a timer, derived from trigger name and time so a retry is recognisable.</param>
/// <param name="Actor">Who asked (<c>compliance sweep</c>, or a webhook key id for <c>POST /sweeps</c>).</param>
/// <param name="TriggerTime">The timer's trigger time, if a timer asked.</param>
/// <param name="Deadline">Stop starting new work at this time and return a partial report.</param>
public sealed record SweepRequest(
    SweepMode Mode,
    IReadOnlyList<string>? Regions,
    string SweepId,
    string Actor,
    DateTimeOffset? TriggerTime = null,
    DateTimeOffset? Deadline = null);
