using System.Globalization;
using System.Text;
using System.Text.Json;
using AckFc.Core.Compliance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Reporting;

/// <summary>
/// Report sets in a directory (a NAS mount on Function Compute): <c>2026-11-28T030000Z_&lt;sweepId&gt;/report.*</c>,
/// <c>publish.json</c> (the set's state) and <c>latest.json</c>. Every file is written to a temporary file in the same
/// directory and renamed over the target, so a reader never sees half a report. Markers of a sweep (create-only files)
/// live under <c>.markers/&lt;sweepId&gt;_&lt;hash&gt;/</c>; temporary files that a crashed run left behind are removed
/// once they are older than <see cref="LeftoverAge"/>.
/// </summary>
internal sealed partial class FileReportStore(IOptions<ReportingOptions> options, ILogger<FileReportStore> logger) : IReportStore
{
    public const string LatestFileName = "latest.json";
    public const string ReportFileName = "report.json";
    public const string StateFileName = "publish.json";
    public const string SummaryFileName = "summary.json";
    public const string MarkerDirectoryName = ".markers";

    /// <summary>
    /// A temporary file untouched for this long belongs to a run that crashed: a live writer writes its file in seconds
    /// (and keeps touching it), so one hour leaves a wide margin for a slow NAS and a concurrent instance.
    /// </summary>
    public static readonly TimeSpan LeftoverAge = TimeSpan.FromHours(1);

    /// <summary>Marker directories of sweeps that never saved a set are removed after this long.</summary>
    public static readonly TimeSpan OrphanMarkerAge = TimeSpan.FromDays(2);

    private string Root => Path.GetFullPath(options.Value.ReportDirectory);

    public string Location => Root;

    public async Task<ComplianceReport?> LoadLatestAsync(CancellationToken cancellationToken = default) =>
        await ReadReportAsync(Path.Combine(Root, LatestFileName), cancellationToken);

    public async Task<ComplianceReport?> LoadAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sweepId);
        return FindSet(sweepId) is { } set ? await ReadReportAsync(Path.Combine(set, ReportFileName), cancellationToken) : null;
    }

    public async Task<ReportSetState?> LoadStateAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sweepId);
        if (FindSet(sweepId) is not { } set || !File.Exists(Path.Combine(set, StateFileName)))
        {
            return null;
        }

        await using var stream = File.OpenRead(Path.Combine(set, StateFileName));
        var state = await JsonSerializer.DeserializeAsync(stream, ReportingJsonContext.Default.ReportSetState, cancellationToken);
        return state is not null && string.Equals(state.SweepId, sweepId, StringComparison.Ordinal) ? state : null;
    }

    public async Task<IReadOnlyList<string>> SaveAsync(
        ComplianceReport report, IReadOnlyList<ReportFile> files, ReportSetState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(state);
        var root = Root;
        Directory.CreateDirectory(root);
        var set = FindSet(report.SweepId) ?? Path.Combine(root, SetName(report));
        Directory.CreateDirectory(set);

        var written = new List<string>(files.Count + 2);
        foreach (var file in files)
        {
            if (file.Name.Length == 0 || file.Name != Path.GetFileName(file.Name) || file.Name.StartsWith('.'))
            {
                throw new ArgumentException($"Report file name '{file.Name}' must be a plain file name.", nameof(files));
            }

            written.Add(await WriteAtomicallyAsync(Path.Combine(set, file.Name), file.WriteToAsync, cancellationToken));
        }

        var reportPath = Path.Combine(set, ReportFileName);
        if (!files.Any(f => f.Name == ReportFileName))
        {
            written.Insert(0, await WriteAtomicallyAsync(
                reportPath, (stream, ct) => JsonSerializer.SerializeAsync(stream, report, ReportJsonContext.Default.ComplianceReport, ct), cancellationToken));
        }

        await WriteAtomicallyAsync(
            Path.Combine(set, StateFileName),
            (stream, ct) => JsonSerializer.SerializeAsync(stream, state, ReportingJsonContext.Default.ReportSetState, ct),
            cancellationToken);

        // The set's counts for the trend: a few hundred bytes read instead of the report (partial sweeps say so and are left out).
        await WriteAtomicallyAsync(
            Path.Combine(set, SummaryFileName),
            (stream, ct) => JsonSerializer.SerializeAsync(stream, SetSummary.Of(report, state.ReplacesLatest), ReportingJsonContext.Default.SetSummary, ct),
            cancellationToken);

        // latest.json last, a copy of the set's report.json: a set is complete on disk before anything points at it.
        // A partial-scope sweep keeps its set but leaves the fleet's latest report alone.
        if (state.ReplacesLatest)
        {
            written.Add(await WriteAtomicallyAsync(
                Path.Combine(root, LatestFileName),
                async (stream, ct) =>
                {
                    await using var source = new FileStream(reportPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
                    await source.CopyToAsync(stream, ct);
                },
                cancellationToken));
        }

        Prune(root, keep: set);
        RemoveLeftovers(root);
        return written;
    }

    /// <summary>
    /// The trend from the sets' <c>summary.json</c> files, newest set first until <paramref name="count"/> full-scope
    /// sweeps are found: one directory listing and one small file per set, never a report. A set published before
    /// summaries were written has none and is left out.
    /// </summary>
    public async Task<IReadOnlyList<TrendPoint>> LoadTrendAsync(int count, DateTimeOffset? before = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var root = Root;
        if (!Directory.Exists(root))
        {
            return [];
        }

        var points = new List<TrendPoint>(Math.Min(count, 64));
        foreach (var set in Directory.EnumerateDirectories(root).Where(d => IsSetName(Path.GetFileName(d))).OrderDescending(StringComparer.Ordinal))
        {
            if (points.Count == count)
            {
                break;
            }

            if (await ReadSummaryAsync(Path.Combine(set, SummaryFileName), cancellationToken) is { FullScope: true } summary
                && (before is not { } limit || summary.SweepTime < limit))
            {
                points.Add(new TrendPoint(summary.SweepId, summary.SweepTime.ToUniversalTime(), summary.Fail, summary.Unknown, summary.Pass, FullScope: true, summary.Complete));
            }
        }

        return [.. points.OrderBy(p => p.SweepTime).ThenBy(p => p.SweepId, StringComparer.Ordinal)];
    }

    private static async Task<SetSummary?> ReadSummaryAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
            return await JsonSerializer.DeserializeAsync(stream, ReportingJsonContext.Default.SetSummary, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // A set of an older release (no summary), or one another instance's retention removed a moment ago.
            return null;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The stored summary '{Path.GetFileName(Path.GetDirectoryName(path))}/{SummaryFileName}' is not valid: {ex.Message}", ex);
        }
    }

    public async Task<bool> TryCreateMarkerAsync(string sweepId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sweepId);
        CheckMarkerName(name);
        var directory = MarkerDirectory(sweepId);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        try
        {
            // CreateNew is O_CREAT|O_EXCL: of two writers exactly one creates the file (NFS v3 and later too).
            await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 256, FileOptions.Asynchronous);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    public Task<IReadOnlyCollection<string>> LoadMarkersAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sweepId);
        var directory = MarkerDirectory(sweepId);
        IReadOnlyCollection<string> names = Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Where(IsMarkerName).Order(StringComparer.Ordinal)]
            : [];
        return Task.FromResult(names);
    }

    /// <summary>A marker name: 1 to 100 ASCII letters, digits, '.', '-' or '_', starting with a letter or digit.</summary>
    internal static bool IsMarkerName(string? name) =>
        name is { Length: > 0 and <= 100 } && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static void CheckMarkerName(string name)
    {
        if (!IsMarkerName(name))
        {
            throw new ArgumentException($"Marker name '{name}' must be 1 to 100 ASCII letters, digits, '.', '-' or '_', starting with a letter or digit.", nameof(name));
        }
    }

    /// <summary>The safe id keeps the directory readable; the hash keeps two ids that reduce to the same safe id apart.</summary>
    private string MarkerDirectory(string sweepId) =>
        Path.Combine(Root, MarkerDirectoryName,
            SafeId(sweepId) + "_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(sweepId)).AsSpan(0, 4)));

    /// <summary>
    /// Removes temporary files of earlier runs that crashed mid-write (in the root and in every set) once they are
    /// older than <see cref="LeftoverAge"/>; younger ones may belong to a live writer.
    /// </summary>
    internal void RemoveLeftovers(string root)
    {
        var cutoff = DateTime.UtcNow - LeftoverAge;
        var directories = new List<string> { root };
        directories.AddRange(Directory.EnumerateDirectories(root).Where(d => IsSetName(Path.GetFileName(d))));
        var removed = 0;
        foreach (var directory in directories)
        {
            foreach (var temp in Directory.EnumerateFiles(directory, ".*.tmp"))
            {
                try
                {
                    if (File.GetLastWriteTimeUtc(temp) < cutoff)
                    {
                        File.Delete(temp);
                        removed++;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogLeftoverFailed(logger, Path.GetFileName(temp), ex.Message);
                }
            }
        }

        if (removed > 0)
        {
            LogLeftoversRemoved(logger, removed);
        }
    }

    /// <summary>The set's directory name: UTC time of the sweep (trigger time when a timer started it) and sweep id.</summary>
    internal static string SetName(ComplianceReport report) =>
        (report.TriggerTime ?? report.StartedAt).UtcDateTime.ToString("yyyy-MM-dd'T'HHmmss'Z'", CultureInfo.InvariantCulture)
        + "_" + SafeId(report.SweepId);

    /// <summary>The sweep id reduced to characters every file system accepts.</summary>
    internal static string SafeId(string sweepId)
    {
        var builder = new StringBuilder(Math.Min(sweepId.Length, 80));
        foreach (var c in sweepId.AsSpan(0, Math.Min(sweepId.Length, 80)))
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        return builder.ToString();
    }

    private string? FindSet(string sweepId)
    {
        var root = Root;
        if (!Directory.Exists(root))
        {
            return null;
        }

        var suffix = "_" + SafeId(sweepId);
        return Directory.EnumerateDirectories(root)
            .Where(d => IsSetName(Path.GetFileName(d)) && Path.GetFileName(d).EndsWith(suffix, StringComparison.Ordinal)
                        && Path.GetFileName(d).Length == 18 + suffix.Length)
            .OrderDescending(StringComparer.Ordinal)
            .FirstOrDefault();
    }

    // yyyy-MM-ddTHHmmssZ is 18 characters followed by '_'.
    private static bool IsSetName(string name) =>
        name.Length > 19 && name[4] == '-' && name[7] == '-' && name[10] == 'T' && name[17] == 'Z' && name[18] == '_'
        && char.IsAsciiDigit(name[0]) && char.IsAsciiDigit(name[11]);

    private void Prune(string root, string keep)
    {
        var sets = Directory.EnumerateDirectories(root)
            .Where(d => IsSetName(Path.GetFileName(d)))
            .OrderDescending(StringComparer.Ordinal)
            .ToList();
        foreach (var old in sets.Where(s => !string.Equals(s, keep, StringComparison.Ordinal)).Skip(Math.Max(0, options.Value.Retention - 1)))
        {
            var name = Path.GetFileName(old);
            try
            {
                Directory.Delete(old, recursive: true);
                LogPruned(logger, name);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Retention is housekeeping: a set another instance is still reading is removed next time.
                LogPruneFailed(logger, name, ex.Message);
            }
        }

        PruneMarkers(root, sets.Select(s => Path.GetFileName(s)[19..]).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// Markers go with their set: those of sets removed by retention are removed (a set's markers are never needed
    /// once the set is gone and the timer's retry window has passed), and those of sweeps that never saved a set
    /// after <see cref="OrphanMarkerAge"/>.
    /// </summary>
    private void PruneMarkers(string root, HashSet<string> safeIdsBeforePrune)
    {
        var markers = Path.Combine(root, MarkerDirectoryName);
        if (!Directory.Exists(markers))
        {
            return;
        }

        var kept = Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>().Where(IsSetName)
            .Select(n => n[19..]).ToHashSet(StringComparer.Ordinal);
        var cutoff = DateTime.UtcNow - OrphanMarkerAge;
        foreach (var directory in Directory.EnumerateDirectories(markers))
        {
            var name = Path.GetFileName(directory);
            var separator = name.LastIndexOf('_');
            var safeId = separator > 0 ? name[..separator] : name;
            var pruned = safeIdsBeforePrune.Contains(safeId) && !kept.Contains(safeId);
            var orphan = !kept.Contains(safeId) && Directory.GetLastWriteTimeUtc(directory) < cutoff;
            if (!pruned && !orphan)
            {
                continue;
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogPruneFailed(logger, name, ex.Message);
            }
        }
    }

    private static async Task<ComplianceReport?> ReadReportAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, ReportJsonContext.Default.ComplianceReport, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The stored report '{Path.GetFileName(path)}' is not a valid report: {ex.Message}", ex);
        }
    }

    /// <summary>Lets <paramref name="write"/> fill a file next to the target, then renames it over the target (atomic on one file system).</summary>
    internal static async Task<string> WriteAtomicallyAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await write(stream, cancellationToken);
                // On a NAS the rename must not overtake the data.
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            return path;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed report set {Set} (retention)")]
    private static partial void LogPruned(ILogger logger, string set);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} temporary file(s) left by earlier runs that stopped mid-write")]
    private static partial void LogLeftoversRemoved(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the leftover temporary file {File}: {Reason}")]
    private static partial void LogLeftoverFailed(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove report set {Set}: {Reason}")]
    private static partial void LogPruneFailed(ILogger logger, string set, string reason);
}

/// <summary>A set's <c>summary.json</c>: the counts the trend reads, so that it never opens a report.</summary>
internal sealed record SetSummary(string SweepId, DateTimeOffset SweepTime, int Fail, int Unknown, int Pass, int Clusters, bool Complete, bool FullScope)
{
    public static SetSummary Of(ComplianceReport report, bool fullScope) => new(
        report.SweepId, (report.TriggerTime ?? report.StartedAt).ToUniversalTime(), report.Summary.Fail, report.Summary.Unknown, report.Summary.Pass,
        report.Summary.Clusters, report.Complete, fullScope);
}
