using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Core.Reporting;

/// <summary>
/// Findings as OCSF 1.x Compliance Finding events (<c>class_uid</c> 2003, category Findings) in JSON Lines, for
/// SIEMs. <c>finding_info.uid</c> is stable per (cluster, rule) so a SIEM can follow one finding across sweeps:
/// activity Create when it is new, Update while it is seen again, Close when it was resolved.
/// </summary>
internal static class OcsfReportRenderer
{
    /// <summary>The OCSF schema version the events follow.</summary>
    public const string SchemaVersion = "1.3.0";
    public const int ClassUid = 2003;
    public const int CategoryUid = 2;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Readable names (Chinese cluster names) in the lines; JSON Lines are never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>
    /// One event per finding of the report, plus a Close event for each resolved finding whose cluster or rule is
    /// no longer reported. <paramref name="changes"/> (null for the first sweep) decides Create / Update / Close.
    /// </summary>
    public static string Render(ComplianceReport report, ReportChanges? changes = null, string productVersion = "1.0")
    {
        using var lines = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Write(lines, report, changes, productVersion);
        return lines.ToString();
    }

    /// <summary>Writes the events line by line (see <see cref="Render"/>).</summary>
    public static void Write(TextWriter output, ComplianceReport report, ReportChanges? changes = null, string productVersion = "1.0")
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        var created = Keys(changes?.New);
        var resolved = Keys(changes?.Resolved);
        var seen = new HashSet<(string, string)>();
        foreach (var cluster in report.Clusters)
        {
            foreach (var finding in cluster.Findings)
            {
                var key = (cluster.ClusterId, finding.RuleId);
                seen.Add(key);
                var activity = resolved.Contains(key) ? 3 : changes is null && finding.Status == FindingStatus.Fail || created.Contains(key) ? 1 : 2;
                output.Write(Event(report, cluster.ClusterId, cluster.Name, cluster.RegionId, cluster.ClusterSpec, finding, activity, productVersion));
                output.Write('\n');
            }
        }

        foreach (var change in changes?.Resolved ?? [])
        {
            if (!seen.Contains((change.ClusterId, change.Finding.RuleId)))
            {
                output.Write(Event(report, change.ClusterId, change.ClusterName, change.RegionId, null,
                    change.Finding with { Status = FindingStatus.Pass, Message = $"{change.Finding.Message} (resolved: {change.Why})" }, 3, productVersion));
                output.Write('\n');
            }
        }
    }

    private static HashSet<(string, string)> Keys(IReadOnlyList<FindingChange>? changes) =>
        [.. (changes ?? []).Select(c => (c.ClusterId, c.Finding.RuleId))];

    private static string Event(
        ComplianceReport report, string clusterId, string clusterName, string regionId, string? clusterSpec, Finding finding, int activity, string productVersion)
    {
        var rule = RuleCatalog.IsKnown(finding.RuleId) ? RuleCatalog.Get(finding.RuleId) : null;
        var cloudConfig = CsvReportRenderer.CloudConfigRule(finding);
        var activityName = activity switch { 1 => "Create", 3 => "Close", _ => "Update" };
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("class_uid", ClassUid);
            json.WriteString("class_name", "Compliance Finding");
            json.WriteNumber("category_uid", CategoryUid);
            json.WriteString("category_name", "Findings");
            json.WriteNumber("activity_id", activity);
            json.WriteString("activity_name", activityName);
            json.WriteNumber("type_uid", (ClassUid * 100) + activity);
            json.WriteString("type_name", $"Compliance Finding: {activityName}");
            var (severityId, severityName) = SeverityOf(finding);
            json.WriteNumber("severity_id", severityId);
            json.WriteString("severity", severityName);
            var (statusId, status) = FindingLifecycle(finding.Status, activity);
            json.WriteNumber("status_id", statusId);
            json.WriteString("status", status);
            json.WriteNumber("time", report.FinishedAt.ToUnixTimeMilliseconds());
            json.WriteString("message", finding.Message);

            json.WriteStartObject("metadata");
            json.WriteString("version", SchemaVersion);
            json.WriteString("uid", $"{report.SweepId}/{clusterId}/{finding.RuleId}");
            json.WriteString("correlation_uid", report.SweepId);
            json.WriteString("log_name", "ackfc-compliance");
            json.WriteStartObject("product");
            json.WriteString("name", "AckFc");
            json.WriteString("vendor_name", "AckFc");
            json.WriteString("version", productVersion);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject("finding_info");
            json.WriteString("uid", $"ackfc:{clusterId}:{finding.RuleId}");
            json.WriteString("title", rule?.Title ?? finding.RuleId);
            json.WriteString("desc", finding.Message);
            json.WriteStartArray("types");
            json.WriteStringValue("Kubernetes Secret encryption");
            json.WriteEndArray();
            json.WriteNumber("last_seen_time", report.FinishedAt.ToUnixTimeMilliseconds());
            json.WriteEndObject();

            json.WriteStartObject("compliance");
            json.WriteString("control", finding.RuleId);
            json.WriteStartArray("standards");
            json.WriteStringValue("AckFc rule catalogue");
            if (cloudConfig is not null)
            {
                json.WriteStringValue("Alibaba Cloud Config managed rules");
            }

            json.WriteEndArray();
            if (cloudConfig is not null)
            {
                json.WriteStartArray("requirements");
                json.WriteStringValue(cloudConfig);
                json.WriteEndArray();
            }

            var (complianceId, complianceStatus) = ComplianceStatusOf(finding.Status);
            json.WriteNumber("status_id", complianceId);
            json.WriteString("status", complianceStatus);
            json.WriteString("status_detail", finding.Message);
            if (finding.ErrorCode is { } code)
            {
                json.WriteString("status_code", code);
            }

            json.WriteEndObject();

            json.WriteStartArray("resources");
            json.WriteStartObject();
            json.WriteString("uid", clusterId);
            json.WriteString("name", clusterName);
            json.WriteString("type", "ACK cluster");
            json.WriteString("region", regionId);
            json.WriteEndObject();
            if (finding.KmsKeyId is { } key)
            {
                json.WriteStartObject();
                json.WriteString("uid", key);
                json.WriteString("type", "KMS key");
                json.WriteString("region", regionId);
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartObject("cloud");
            json.WriteString("provider", "AlibabaCloud");
            json.WriteString("region", regionId);
            json.WriteEndObject();

            json.WriteStartObject("unmapped");
            json.WriteString("sweep_id", report.SweepId);
            json.WriteString("ackfc_status", JsonNames.Of(finding.Status));
            if (cloudConfig is not null) json.WriteString("cloud_config_rule", cloudConfig);
            if (clusterSpec is not null) json.WriteString("cluster_spec", clusterSpec);
            if (finding.DaysUntilDeletion is { } days) json.WriteNumber("days_until_deletion", days);
            if (finding.RequestId is { } requestId) json.WriteString("request_id", requestId);
            if (finding.Waiver is { } waiver)
            {
                json.WriteStartObject("waiver");
                json.WriteString("reason", waiver.Reason);
                json.WriteString("owner", waiver.Owner);
                json.WriteString("expires", waiver.Expires);
                json.WriteBoolean("expired", waiver.Expired);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>OCSF <c>severity_id</c>: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. A pass is informational.</summary>
    internal static (int Id, string Name) SeverityOf(Finding finding) =>
        finding.Status is FindingStatus.Pass or FindingStatus.NotApplicable
            ? (1, "Informational")
            : finding.Severity switch
            {
                Severity.Info => (1, "Informational"),
                Severity.Low => (2, "Low"),
                Severity.Medium => (3, "Medium"),
                Severity.High => (4, "High"),
                _ => (5, "Critical"),
            };

    /// <summary>OCSF compliance <c>status_id</c>: 1 Pass, 2 Warning (could not be judged), 3 Fail, 99 Other.</summary>
    internal static (int Id, string Name) ComplianceStatusOf(FindingStatus status) => status switch
    {
        FindingStatus.Pass => (1, "Pass"),
        FindingStatus.Unknown => (2, "Warning"),
        FindingStatus.Fail or FindingStatus.Waived => (3, "Fail"),
        _ => (99, "Not Applicable"),
    };

    /// <summary>OCSF finding <c>status_id</c>: 1 New, 2 In Progress, 3 Suppressed (waived), 4 Resolved.</summary>
    private static (int Id, string Name) FindingLifecycle(FindingStatus status, int activity) => (status, activity) switch
    {
        (_, 3) => (4, "Resolved"),
        (FindingStatus.Waived, _) => (3, "Suppressed"),
        (FindingStatus.Pass or FindingStatus.NotApplicable, _) => (4, "Resolved"),
        (_, 1) => (1, "New"),
        _ => (2, "In Progress"),
    };
}
