using System.Text.Json;
using System.Text.Json.Nodes;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using CsCheck;
using Json.Schema;

namespace AckFc.Core.Tests.Reporting;

public sealed class ReportSchemaTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "report.schema.json"))));

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    [Fact]
    public void Schema_DemoFleetReport_IsValid() => AssertValid(ReportFixtures.DemoFleet());

    [Fact]
    public void Schema_ReportWithActionsErrorsAndNotificationFailure_IsValid()
    {
        var report = ReportFixtures.DemoFleet() with
        {
            Mode = SweepMode.Remediate,
            TriggerTime = null,
            Actions = [new RemediationAction { Kind = RemediationKind.CancelKeyDeletion, Status = RemediationStatus.Planned, RegionId = "cn-hangzhou", KmsKeyId = ReportFixtures.DoomedKey, RuleId = RuleCatalog.KeyPendingDeletion, Reason = "report mode" }],
            Errors = [new ReportError { Scope = "notification", Action = "dingtalk", Code = "NotificationFailed", Message = "HTTP 500" }],
        };

        AssertValid(report);
    }

    [Fact]
    public void Schema_RandomReports_AreValid() =>
        GenReport.Sample(AssertValid, iter: 150, threads: 1);

    [Fact]
    public void Schema_TamperedReport_IsInvalid()
    {
        var node = JsonNode.Parse(JsonSerializer.Serialize(ReportFixtures.DemoFleet(), ReportJsonContext.Default.ComplianceReport))!;
        node["clusters"]![0]!["status"] = "broken";

        var result = Schema.Value.Evaluate(JsonDocument.Parse(node.ToJsonString()).RootElement, Options);

        Assert.False(result.IsValid);
    }

    private static void AssertValid(ComplianceReport report)
    {
        var json = JsonSerializer.Serialize(report, ReportJsonContext.Default.ComplianceReport);
        using var document = JsonDocument.Parse(json);

        var result = Schema.Value.Evaluate(document.RootElement, Options);

        Assert.True(result.IsValid, "schema errors: " + string.Join("; ",
            (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    private static readonly Gen<string> Text = Gen.Char["abcXYZ019 <>&\"',;=+-@\n\t中文é/\\"].Array[0, 24].Select(a => new string(a));
    private static readonly Gen<string> Id = Gen.Char["abcdef0123456789-"].Array[1, 16].Select(a => "c-" + new string(a));
    private static readonly Gen<DateTimeOffset> Time = Gen.Long[0, 400L * 24 * 3600].Select(s => ReportFixtures.Start.AddSeconds(s).ToOffset(TimeSpan.FromHours(s % 3 == 0 ? 8 : 0)));

    private static readonly Gen<Finding> GenFinding =
        Gen.Select(Gen.OneOf([.. RuleCatalog.All.Select(r => r.Id)]), Gen.Enum<FindingStatus>(), Gen.Enum<Severity>(), Text, Text.Null(0.4), Gen.Int[0, 60].Nullable(0.6), Gen.Bool, Time,
            (rule, status, severity, message, key, days, waived, expires) => new Finding
            {
                RuleId = rule,
                Status = status,
                Severity = severity,
                Message = message,
                KmsKeyId = key,
                DaysUntilDeletion = days,
                CloudConfigRule = RuleCatalog.Get(rule).CloudConfigRule,
                Waiver = waived ? new WaiverInfo(message, "owner@example.com", expires, status != FindingStatus.Waived) : null,
                ErrorCode = status == FindingStatus.Unknown ? "Throttling.User" : null,
                RequestId = status == FindingStatus.Unknown ? "REQ-1" : null,
                Details = key is null ? null : new Dictionary<string, string> { ["keyState"] = "Enabled" },
            });

    private static readonly Gen<ClusterReport> GenCluster =
        Gen.Select(Id, Text, Gen.OneOf("cn-hangzhou", "cn-shanghai", "ap-southeast-1"), GenFinding.Array[0, 5], Text.Null(0.3), Gen.Bool.Nullable(0.2), Text.Null(0.5), Gen.Bool,
            (id, name, region, findings, key, enabled, reason, tagged) => new ClusterReport
            {
                ClusterId = id,
                Name = name,
                RegionId = region,
                ClusterSpec = tagged ? "ack.pro.small" : null,
                Tags = tagged ? new Dictionary<string, string> { ["env"] = name } : null,
                Encryption = new EncryptionSummary(enabled, key),
                Status = findings.Length == 0 ? FindingStatus.NotApplicable : ReportFixtures.Worst(findings),
                StatusReason = reason,
                Findings = findings,
            });

    private static readonly Gen<ComplianceReport> GenReport =
        Gen.Select(Id, GenCluster.Array[0, 12], Gen.Bool, Time, Gen.Int[0, 3], (id, clusters, complete, at, errors) =>
            ReportFixtures.Report(clusters, "sweep-" + id, at, complete,
                [.. Enumerable.Range(0, errors).Select(i => new ReportError { Scope = "region", RegionId = "cn-hangzhou", Code = "Throttling", Message = $"error {i}" })]));
}
