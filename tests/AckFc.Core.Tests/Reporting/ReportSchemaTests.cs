using System.Text.Json;
using System.Text.Json.Nodes;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;
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
        ReportGenerators.AnyReport.Sample(AssertValid, iter: 150, threads: 1);

    [Fact]
    public void Schema_TamperedReport_IsInvalid()
    {
        var node = JsonNode.Parse(JsonSerializer.Serialize(ReportFixtures.DemoFleet(), ReportJsonContext.Default.ComplianceReport))!;
        node["clusters"]![0]!["status"] = "broken";

        var result = Schema.Value.Evaluate(JsonDocument.Parse(node.ToJsonString()).RootElement, Options);

        Assert.False(result.IsValid);
    }

    internal static void AssertValid(ComplianceReport report)
    {
        var json = JsonSerializer.Serialize(report, ReportJsonContext.Default.ComplianceReport);
        using var document = JsonDocument.Parse(json);

        var result = Schema.Value.Evaluate(document.RootElement, Options);

        Assert.True(result.IsValid, "schema errors: " + string.Join("; ",
            (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }
}
