using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Oss;
using AckFc.Core.Compliance;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Reporting;

/// <summary>
/// Report sets in an OSS bucket, with no compare-and-swap anywhere (OSS has none on PutObject): every object is
/// immutable and created once with <c>x-oss-forbid-overwrite</c>, so a 409 <c>FileAlreadyExists</c> means "already
/// there" and is never an error — except the files of a set no publication completed yet, which the next publication
/// of the sweep replaces, so a set never mixes two runs. Under the configured prefix:
/// <list type="bullet">
/// <item><c>sweeps/{yyyy-MM-dd}/{sweepId}/report.json|html|md|csv|ocsf.jsonl</c>: the set, written first (a few at once);</item>
/// <item><c>sweeps/{yyyy-MM-dd}/{sweepId}/publish-{n:D6}.json</c>: the state of the n-th publication of the sweep;</item>
/// <item><c>ids/{sweepId}.json</c>: where the set of a sweep id lives (the first publication decides);</item>
/// <item><c>markers/{sweepId}/{name}</c>: create-only delivery markers;</item>
/// <item><c>index/{inverted sweep time}_{sweepId}.json</c>: written last, once the set is complete. The inverted time
/// makes key order newest first, so "latest" is one <c>ListObjectsV2 max-keys=1</c>, correct however many instances
/// publish at once.</item>
/// </list>
/// </summary>
internal sealed partial class OssReportStore(
    IOssClient oss,
    IOptions<ReportStoreOptions> storeOptions,
    IOptions<ReportingOptions> reportingOptions,
    ILogger<OssReportStore> logger) : IReportStore
{
    private const long InvertBase = 9_999_999_999_999;

    /// <summary>
    /// Uploads of one set at once. Each renders as it uploads (CPU) and waits for OSS (latency): a few overlap both
    /// without holding more than a few renderers' buffers.
    /// </summary>
    internal const int MaxConcurrentUploads = 3;

    /// <summary>Index entries read at once for the trend: a few connections, not one per entry.</summary>
    internal const int TrendReadConcurrency = 8;

    private OssBucket Bucket => new(storeOptions.Value.Bucket!, storeOptions.Value.Region!);

    private string Prefix => storeOptions.Value.Prefix;

    public string Location => $"oss://{Bucket.Name}/{Prefix}";

    public async Task<ComplianceReport?> LoadLatestAsync(CancellationToken cancellationToken = default)
    {
        var newest = await oss.ListObjectsV2Async(Bucket, new OssListRequest { Prefix = Prefix + "index/", MaxKeys = 1 }, cancellationToken);
        if (newest.Objects.Count == 0)
        {
            return null;
        }

        var entry = await ReadJsonAsync(newest.Objects[0].Key, OssStoreJsonContext.Default.OssIndexEntry, cancellationToken)
            ?? throw new InvalidDataException($"The index entry '{newest.Objects[0].Key}' disappeared while it was read.");
        return await ReadJsonAsync(entry.Set + FileReportStore.ReportFileName, ReportJsonContext.Default.ComplianceReport, cancellationToken);
    }

    public async Task<ComplianceReport?> LoadAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sweepId);
        return await FindSetAsync(sweepId, cancellationToken) is { } set
            ? await ReadJsonAsync(set + FileReportStore.ReportFileName, ReportJsonContext.Default.ComplianceReport, cancellationToken)
            : null;
    }

    public async Task<ReportSetState?> LoadStateAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sweepId);
        if (await FindSetAsync(sweepId, cancellationToken) is not { } set)
        {
            return null;
        }

        var states = await ListAllAsync(set + "publish-", cancellationToken);
        if (states.Count == 0)
        {
            return null;
        }

        var state = await ReadJsonAsync(states.Max(StringComparer.Ordinal)!, ReportingJsonContext.Default.ReportSetState, cancellationToken);
        return state is not null && string.Equals(state.SweepId, sweepId, StringComparison.Ordinal) ? state : null;
    }

    public async Task<IReadOnlyList<string>> SaveAsync(
        ComplianceReport report, IReadOnlyList<ReportFile> files, ReportSetState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(state);
        var time = (report.TriggerTime ?? report.StartedAt).ToUniversalTime();

        // 1. Where this sweep's set lives: the first publication decides, a republish reuses it.
        var set = OssReportLayout.SetPrefix(Prefix, report.SweepId, time);
        var pointer = new OssSetPointer(report.SweepId, set);
        if (!await CreateAsync(IdKey(report.SweepId), Json(pointer, OssStoreJsonContext.Default.OssSetPointer), "application/json", cancellationToken))
        {
            set = (await ReadJsonAsync(IdKey(report.SweepId), OssStoreJsonContext.Default.OssSetPointer, cancellationToken))?.Set ?? set;
        }

        // 2. The files, each rendered straight into its upload, a few at once: they are independent, and on OSS each
        //    costs a round trip. Only a set that was complete once (an earlier publication wrote its state) keeps its
        //    files; the leftovers of a publication cut short are replaced, so a set's files all come from one run.
        foreach (var file in files)
        {
            if (file.Name.Length == 0 || file.Name.Contains('/', StringComparison.Ordinal) || file.Name.StartsWith('.'))
            {
                throw new ArgumentException($"Report file name '{file.Name}' must be a plain file name.", nameof(files));
            }
        }

        var uploads = files.Select(f => (Name: f.Name, Content: OssContent.FromWriter(f.WriteToAsync))).ToList();
        if (!files.Any(f => f.Name == FileReportStore.ReportFileName))
        {
            uploads.Insert(0, (FileReportStore.ReportFileName, OssContent.FromWriter(
                (stream, ct) => JsonSerializer.SerializeAsync(stream, report, ReportJsonContext.Default.ComplianceReport, ct))));
        }

        var replace = state.Publications <= 1;
        await Parallel.ForEachAsync(
            uploads,
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentUploads, CancellationToken = cancellationToken },
            async (upload, token) =>
            {
                if (replace)
                {
                    await oss.PutObjectAsync(Bucket, set + upload.Name, upload.Content, new OssPutOptions { ContentType = ContentType(upload.Name) }, token);
                }
                else
                {
                    await CreateAsync(set + upload.Name, upload.Content, ContentType(upload.Name), token);
                }
            });
        var written = uploads.Select(u => ObjectUri(set + u.Name)).ToList();

        // 3. The state of this publication; 4. the index entry, last, so only a complete set is ever "latest".
        var stateKey = set + "publish-" + state.Publications.ToString("D6", CultureInfo.InvariantCulture) + ".json";
        await CreateAsync(stateKey, Json(state, ReportingJsonContext.Default.ReportSetState), "application/json", cancellationToken);
        // A sweep of part of the configured scope is kept (and found by its id) but never indexed: the index is what
        // "latest" and the trend read, and a partial sweep must not stand in for the fleet.
        var entry = new OssIndexEntry(report.SweepId, set, time, report.Summary.Fail, report.Summary.Unknown, report.Summary.Pass, report.Summary.Clusters, report.Complete);
        if (!state.ReplacesLatest)
        {
            LogNotIndexed(logger, report.SweepId);
        }
        else if (!await CreateAsync(IndexKey(time, report.SweepId), Json(entry, OssStoreJsonContext.Default.OssIndexEntry), "application/json", cancellationToken))
        {
            LogAlreadyIndexed(logger, report.SweepId);
        }

        await PruneAsync(cancellationToken);
        return written;
    }

    /// <summary>
    /// A presigned GET link to a file of the sweep's set (the set the first publication of the sweep id chose, which
    /// is where its trigger time puts it), on the bucket's public endpoint.
    /// </summary>
    public Uri? LinkTo(ComplianceReport report, string fileName, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var set = OssReportLayout.SetPrefix(Prefix, report.SweepId, (report.TriggerTime ?? report.StartedAt).ToUniversalTime());
        return oss.PresignGetObject(Bucket, set + fileName, lifetime);
    }

    public async Task<bool> TryCreateMarkerAsync(string sweepId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sweepId);
        return await CreateAsync(MarkerPrefix(sweepId) + CheckMarkerName(name), OssContent.FromBytes(ReadOnlyMemory<byte>.Empty), "text/plain", cancellationToken);
    }

    public async Task<IReadOnlyCollection<string>> LoadMarkersAsync(string sweepId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sweepId);
        var prefix = MarkerPrefix(sweepId);
        return [.. (await ListAllAsync(prefix, cancellationToken)).Select(k => k[prefix.Length..])];
    }

    /// <summary>
    /// The trend from the index alone: one <c>ListObjectsV2 prefix=index/ max-keys=count</c> (starting after
    /// <paramref name="before"/>'s key, so only older sweeps come back) and one GET per entry, a few at a time. An index
    /// entry is about 200 bytes and carries the counts; the reports are never read. Partial-scope sweeps have no entry.
    /// An entry without counts (none is written so; a hand-made one) is skipped, and so is one removed by retention
    /// between the list and its read.
    /// </summary>
    public async Task<IReadOnlyList<TrendPoint>> LoadTrendAsync(int count, DateTimeOffset? before = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var request = new OssListRequest
        {
            Prefix = Prefix + "index/",
            MaxKeys = Math.Min(count, 1000),
            // Index keys sort newest first; '~' sorts after every character of a sweep id, so this skips the sweeps at or after `before`.
            StartAfter = before is { } time ? IndexTimeKey(time) + "~" : null,
        };
        var page = await oss.ListObjectsV2Async(Bucket, request, cancellationToken);
        var keys = page.Objects.Select(o => o.Key).Take(request.MaxKeys).ToArray();
        var entries = new OssIndexEntry?[keys.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, keys.Length),
            new ParallelOptions { MaxDegreeOfParallelism = TrendReadConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => entries[i] = await ReadJsonAsync(keys[i], OssStoreJsonContext.Default.OssIndexEntry, ct));
        return
        [
            .. entries.OfType<OssIndexEntry>()
                .Where(e => e.Fail is not null && e.Unknown is not null && e.Pass is not null)
                .Select(e => new TrendPoint(e.SweepId, e.SweepTime.ToUniversalTime(), e.Fail!.Value, e.Unknown!.Value, e.Pass!.Value, FullScope: true, Complete: e.Complete ?? true))
                .OrderBy(p => p.SweepTime).ThenBy(p => p.SweepId, StringComparer.Ordinal),
        ];
    }

    /// <summary>Marker names are short ASCII words (<c>notify-intent.slack</c>): they become object names.</summary>
    internal static string CheckMarkerName(string name) =>
        MarkerName().IsMatch(name ?? string.Empty)
            ? name!
            : throw new ArgumentException($"Marker name '{name}' must be 1-64 characters of letters, digits, '.', '-' or '_'.", nameof(name));

    /// <summary>The index key: newest sweep first in key order; the sweep id breaks ties.</summary>
    internal string IndexKey(DateTimeOffset time, string sweepId) => IndexTimeKey(time) + "_" + FileReportStore.SafeId(sweepId) + ".json";

    private string IndexTimeKey(DateTimeOffset time) =>
        Prefix + "index/" + (InvertBase - time.ToUnixTimeMilliseconds()).ToString("D13", CultureInfo.InvariantCulture);

    private string IdKey(string sweepId) => Prefix + "ids/" + FileReportStore.SafeId(sweepId) + ".json";

    private string MarkerPrefix(string sweepId) => Prefix + "markers/" + FileReportStore.SafeId(sweepId) + "/";

    private string ObjectUri(string key) => $"oss://{Bucket.Name}/{key}";

    private async Task<string?> FindSetAsync(string sweepId, CancellationToken cancellationToken) =>
        (await ReadJsonAsync(IdKey(sweepId), OssStoreJsonContext.Default.OssSetPointer, cancellationToken)) is { } pointer
        && string.Equals(pointer.SweepId, sweepId, StringComparison.Ordinal)
            ? pointer.Set
            : null;

    /// <summary>A create-only put; false when the object already exists.</summary>
    private async Task<bool> CreateAsync(string key, OssContent content, string contentType, CancellationToken cancellationToken)
    {
        try
        {
            await oss.PutObjectAsync(Bucket, key, content, new OssPutOptions { ContentType = contentType, ForbidOverwrite = true }, cancellationToken);
            return true;
        }
        catch (AlibabaCloudException ex) when (ex.Code == "FileAlreadyExists")
        {
            return false;
        }
    }

    private async Task<T?> ReadJsonAsync<T>(string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        await using var obj = await oss.GetObjectAsync(Bucket, key, cancellationToken: cancellationToken);
        if (obj is null)
        {
            return null;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(obj.Content, type, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The stored object 'oss://{Bucket.Name}/{key}' is not valid: {ex.Message}", ex);
        }
    }

    private async Task<List<string>> ListAllAsync(string prefix, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await oss.ListObjectsV2Async(Bucket, new OssListRequest { Prefix = prefix, MaxKeys = 1000, ContinuationToken = token }, cancellationToken);
            keys.AddRange(page.Objects.Select(o => o.Key));
            token = page.IsTruncated ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }

    /// <summary>
    /// Retention: index entries beyond the newest <c>ACKFC_REPORT_RETENTION</c> lose their set, id and markers, and the
    /// entry itself last (an entry never points at a deleted set while it is within retention). Housekeeping: a failure
    /// is logged and retried by the next sweep, never fails the publication. An OSS lifecycle rule is the cheaper way.
    /// </summary>
    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        try
        {
            var index = await ListAllAsync(Prefix + "index/", cancellationToken);
            foreach (var old in index.Order(StringComparer.Ordinal).Skip(reportingOptions.Value.Retention))
            {
                var entry = await ReadJsonAsync(old, OssStoreJsonContext.Default.OssIndexEntry, cancellationToken);
                if (entry is not null)
                {
                    foreach (var key in (await ListAllAsync(entry.Set, cancellationToken)).Concat(await ListAllAsync(MarkerPrefix(entry.SweepId), cancellationToken)))
                    {
                        await oss.DeleteObjectAsync(Bucket, key, cancellationToken);
                    }

                    await oss.DeleteObjectAsync(Bucket, IdKey(entry.SweepId), cancellationToken);
                }

                await oss.DeleteObjectAsync(Bucket, old, cancellationToken);
                LogPruned(logger, entry?.SweepId ?? old);
            }
        }
        catch (AlibabaCloudException ex)
        {
            LogPruneFailed(logger, ex.Message);
        }
    }

    private static OssContent Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        OssContent.FromBytes(JsonSerializer.SerializeToUtf8Bytes(value, type));

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".json" => "application/json",
        ".html" => "text/html; charset=utf-8",
        ".md" => "text/markdown; charset=utf-8",
        ".csv" => "text/csv; charset=utf-8",
        ".jsonl" => "application/x-ndjson",
        _ => "application/octet-stream",
    };

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex MarkerName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} was already in the OSS index: an earlier publication of the same sweep")]
    private static partial void LogAlreadyIndexed(ILogger logger, string sweepId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} covered part of the configured scope: kept, not indexed as the latest")]
    private static partial void LogNotIndexed(ILogger logger, string sweepId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed OSS report set of sweep {SweepId} (retention)")]
    private static partial void LogPruned(ILogger logger, string sweepId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not apply report retention on OSS: {Reason}")]
    private static partial void LogPruneFailed(ILogger logger, string reason);
}

/// <summary>Where the set of a sweep id lives (<c>ids/{sweepId}.json</c>).</summary>
internal sealed record OssSetPointer(string SweepId, string Set);

/// <summary>
/// One index entry: the sweep, its set and its counts, enough for the trend without reading reports. Every entry
/// written carries the counts; they are nullable so that an entry without them is told from a sweep of no clusters.
/// <see cref="Complete"/> came with the trend: an entry written before it has none (read as complete).
/// </summary>
internal sealed record OssIndexEntry(string SweepId, string Set, DateTimeOffset SweepTime, int? Fail, int? Unknown, int? Pass, int? Clusters, bool? Complete = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OssSetPointer))]
[JsonSerializable(typeof(OssIndexEntry))]
internal sealed partial class OssStoreJsonContext : JsonSerializerContext;
