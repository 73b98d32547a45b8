using System.Text;
using AckFc.Core.Compliance;

namespace AckFc.Core.Reporting;

/// <summary>
/// One file of a report set, by its file name (e.g. <c>report.html</c>). The content is written when the store writes
/// the file, straight into it: a fleet-sized set never holds a rendered format in memory, only a write buffer.
/// </summary>
public sealed class ReportFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Func<Stream, CancellationToken, Task> write;

    /// <summary>A file whose content is already rendered (small files, tests).</summary>
    public ReportFile(string name, string content)
        : this(name, (stream, ct) => stream.WriteAsync(Utf8.GetBytes(content), ct).AsTask())
    {
    }

    /// <summary>A file written by <paramref name="write"/> into the stream the store opens.</summary>
    public ReportFile(string name, Func<Stream, CancellationToken, Task> write)
    {
        Name = name;
        this.write = write;
    }

    public string Name { get; }

    /// <summary>A text file rendered into a UTF-8 writer (no byte order mark) as the renderer goes.</summary>
    public static ReportFile Text(string name, Action<TextWriter> render) =>
        new(name, async (stream, ct) =>
        {
            await using var text = new StreamWriter(stream, Utf8, bufferSize: 16 * 1024, leaveOpen: true);
            render(text);
            await text.FlushAsync(ct);
        });

    /// <summary>Writes the content into <paramref name="destination"/> (each call renders again).</summary>
    public Task WriteToAsync(Stream destination, CancellationToken cancellationToken = default) => write(destination, cancellationToken);
}

/// <summary>What was done with a report set: what it was compared with and which channels heard about it.</summary>
public sealed record ReportSetState
{
    public required string SweepId { get; init; }
    /// <summary>The sweep id of the previous report the changes were computed against (null for the first sweep).</summary>
    public string? ComparedWith { get; init; }
    public required DateTimeOffset PublishedAt { get; init; }
    /// <summary>How many times this sweep id was published (a retried timer publishes again).</summary>
    public int Publications { get; init; } = 1;
    /// <summary>Whether this sweep called for a notification.</summary>
    public bool NotificationDue { get; init; }
    /// <summary>Channels that accepted the notification; a republish never notifies them again.</summary>
    public IReadOnlyList<string> NotifiedChannels { get; init; } = [];
    public DateTimeOffset? NotifiedAt { get; init; }
}

/// <summary>
/// Keeps report sets: one set of files per sweep plus the latest report. The file store writes under
/// <c>ACKFC_REPORT_DIR</c>; an object-storage store can implement the same interface.
/// </summary>
public interface IReportStore
{
    /// <summary>The report most recently saved (<c>latest.json</c>), or null when there is none yet.</summary>
    Task<ComplianceReport?> LoadLatestAsync(CancellationToken cancellationToken = default);

    /// <summary>The report of a sweep, or null when no set of that sweep id is kept.</summary>
    Task<ComplianceReport?> LoadAsync(string sweepId, CancellationToken cancellationToken = default);

    /// <summary>The publication state of a sweep's set, or null when the sweep was never published.</summary>
    Task<ReportSetState?> LoadStateAsync(string sweepId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the files and the state of the report's set (replacing the set of the same sweep id), then the latest
    /// report, then applies retention. Each file is written atomically. Returns where the files went.
    /// </summary>
    Task<IReadOnlyList<string>> SaveAsync(
        ComplianceReport report, IReadOnlyList<ReportFile> files, ReportSetState state, CancellationToken cancellationToken = default);

    /// <summary>Creates the marker <paramref name="name"/> of a sweep once. False when it already exists (create-only).</summary>
    Task<bool> TryCreateMarkerAsync(string sweepId, string name, CancellationToken cancellationToken = default);

    /// <summary>The names of the markers a sweep has (empty when none).</summary>
    Task<IReadOnlyCollection<string>> LoadMarkersAsync(string sweepId, CancellationToken cancellationToken = default);
}
