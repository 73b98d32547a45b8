using System.Collections.Concurrent;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;

namespace AckFc.Core.Tests.Guard;

/// <summary>A report store that keeps only markers, create-only as the real stores do, shared by several guard instances.</summary>
internal sealed class MarkerStore : IReportStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> markers = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Of(string sweepId) => markers.TryGetValue(sweepId, out var set) ? [.. set.Keys] : [];

    public IEnumerable<string> SweepIds => markers.Keys;

    public Task<bool> TryCreateMarkerAsync(string sweepId, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(markers.GetOrAdd(sweepId, _ => new(StringComparer.Ordinal)).TryAdd(name, 0));

    public Task<IReadOnlyCollection<string>> LoadMarkersAsync(string sweepId, CancellationToken cancellationToken = default) => Task.FromResult(Of(sweepId));

    public Task<ComplianceReport?> LoadLatestAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<ComplianceReport?> LoadAsync(string sweepId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<ReportSetState?> LoadStateAsync(string sweepId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IReadOnlyList<string>> SaveAsync(ComplianceReport report, IReadOnlyList<ReportFile> files, ReportSetState state, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
