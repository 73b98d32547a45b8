using AckFc.Core.Compliance;

namespace AckFc.Core.Reporting;

/// <summary>
/// One sweep of the trend: its counts of failing, unknown and passing clusters, read from a store's small index or
/// summary objects rather than from its report.
/// </summary>
/// <param name="SweepId">The sweep.</param>
/// <param name="SweepTime">Its trigger time, else its start (the time its set is filed under).</param>
/// <param name="Fail">Clusters failing.</param>
/// <param name="Unknown">Clusters that could not be judged.</param>
/// <param name="Pass">Clusters passing.</param>
/// <param name="FullScope">
/// False for a sweep of part of the configured scope (fewer regions than <c>ACKFC_REGIONS</c>): stores never return
/// those, and the renderer leaves a partial current sweep out of the chart.
/// </param>
/// <param name="Complete">False when the sweep was cut short (a region could not be listed, the deadline): its counts may miss clusters.</param>
public sealed record TrendPoint(string SweepId, DateTimeOffset SweepTime, int Fail, int Unknown, int Pass, bool FullScope = true, bool Complete = true)
{
    /// <summary>The point of a report about to be published.</summary>
    public static TrendPoint Of(ComplianceReport report, bool fullScope)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report.SweepId, (report.TriggerTime ?? report.StartedAt).ToUniversalTime(), report.Summary.Fail, report.Summary.Unknown,
            report.Summary.Pass, fullScope, report.Complete);
    }
}

/// <summary>What the HTML report draws as its trend: the earlier sweeps (oldest first) and the sweep of the report.</summary>
/// <param name="Earlier">Full-scope sweeps before <paramref name="Current"/>, oldest first.</param>
/// <param name="Current">The sweep of the report; drawn last when it is full scope.</param>
public sealed record ReportTrend(IReadOnlyList<TrendPoint> Earlier, TrendPoint Current)
{
    /// <summary>How many sweeps the trend shows at most, the current one included.</summary>
    public const int Length = 30;

    /// <summary>True when the earlier sweeps could not be read (the page says so; the log has the reason).</summary>
    public bool Unavailable { get; init; }

    /// <summary>The bars of the chart, oldest first: at most <see cref="Length"/>, the current sweep last when it is full scope.</summary>
    public IReadOnlyList<TrendPoint> Points
    {
        get
        {
            var earlier = Earlier.Where(p => p.FullScope && p.SweepTime < Current.SweepTime && p.SweepId != Current.SweepId)
                .OrderBy(p => p.SweepTime).ThenBy(p => p.SweepId, StringComparer.Ordinal);
            return Current.FullScope
                ? [.. earlier.TakeLast(Length - 1), Current]
                : [.. earlier.TakeLast(Length)];
        }
    }

    /// <summary>The trend of a sweep whose earlier points could not be read: the page notes it instead of a chart.</summary>
    public static ReportTrend Failed(TrendPoint current) => new([], current) { Unavailable = true };
}
