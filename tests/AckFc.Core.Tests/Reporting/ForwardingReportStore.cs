using AckFc.Core.Compliance;
using AckFc.Core.Reporting;

namespace AckFc.Core.Tests.Reporting;

/// <summary>
/// A report store that hands every call to a real one; a test double overrides the one call it makes fail. A double
/// that must show what a store without a member does (the interface's default) implements the interface itself.
/// </summary>
internal abstract class ForwardingReportStore(IReportStore inner) : IReportStore
{
    public virtual string Location => inner.Location;

    public virtual Task<ComplianceReport?> LoadLatestAsync(CancellationToken cancellationToken = default) => inner.LoadLatestAsync(cancellationToken);

    public virtual Task<ComplianceReport?> LoadAsync(string sweepId, CancellationToken cancellationToken = default) => inner.LoadAsync(sweepId, cancellationToken);

    public virtual Task<ReportSetState?> LoadStateAsync(string sweepId, CancellationToken cancellationToken = default) => inner.LoadStateAsync(sweepId, cancellationToken);

    public virtual Task<IReadOnlyList<string>> SaveAsync(ComplianceReport report, IReadOnlyList<ReportFile> files, ReportSetState state, CancellationToken cancellationToken = default) =>
        inner.SaveAsync(report, files, state, cancellationToken);

    public virtual Task<bool> TryCreateMarkerAsync(string sweepId, string name, CancellationToken cancellationToken = default) => inner.TryCreateMarkerAsync(sweepId, name, cancellationToken);

    public virtual Task<IReadOnlyCollection<string>> LoadMarkersAsync(string sweepId, CancellationToken cancellationToken = default) => inner.LoadMarkersAsync(sweepId, cancellationToken);

    public virtual Task<IReadOnlyList<TrendPoint>> LoadTrendAsync(int count, DateTimeOffset? before = null, CancellationToken cancellationToken = default) =>
        inner.LoadTrendAsync(count, before, cancellationToken);
}
