using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;

namespace AckFc.Core.Tests.Reporting;

public sealed class OcsfReportRendererTests
{
    [Fact]
    public void Render_DemoFleet_OneComplianceFindingEventPerFinding()
    {
        var report = ReportFixtures.DemoFleet();

        var events = Lines(OcsfReportRenderer.Render(report));

        Assert.Equal(report.Clusters.Sum(c => c.Findings.Count), events.Count);
        Assert.All(events, e =>
        {
            Assert.Equal(2003, e.GetProperty("class_uid").GetInt32());
            Assert.Equal(2, e.GetProperty("category_uid").GetInt32());
            Assert.Equal((2003 * 100) + e.GetProperty("activity_id").GetInt32(), e.GetProperty("type_uid").GetInt32());
            Assert.Equal(report.FinishedAt.ToUnixTimeMilliseconds(), e.GetProperty("time").GetInt64());
            Assert.Equal("AckFc", e.GetProperty("metadata").GetProperty("product").GetProperty("name").GetString());
            Assert.StartsWith("1.", e.GetProperty("metadata").GetProperty("version").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(e.GetProperty("finding_info").GetProperty("uid").GetString()));
            Assert.True(e.GetProperty("compliance").GetProperty("standards").GetArrayLength() > 0);
            Assert.Equal("AlibabaCloud", e.GetProperty("cloud").GetProperty("provider").GetString());
        });
    }

    [Fact]
    public void Render_PendingDeletion_MapsSeverityControlResourceAndCloudConfigRule()
    {
        var report = ReportFixtures.DemoFleet();

        var e = Lines(OcsfReportRenderer.Render(report)).Single(x =>
            x.GetProperty("resources")[0].GetProperty("uid").GetString() == ReportFixtures.PlantedClusterId
            && x.GetProperty("compliance").GetProperty("control").GetString() == RuleCatalog.KeyPendingDeletion);

        Assert.Equal(5, e.GetProperty("severity_id").GetInt32());
        Assert.Equal("Critical", e.GetProperty("severity").GetString());
        Assert.Equal(3, e.GetProperty("compliance").GetProperty("status_id").GetInt32());
        Assert.Equal("Fail", e.GetProperty("compliance").GetProperty("status").GetString());
        Assert.Equal("kms-key-state-not-pending-deletion", e.GetProperty("compliance").GetProperty("requirements")[0].GetString());
        Assert.Equal("kms-key-state-not-pending-deletion", e.GetProperty("unmapped").GetProperty("cloud_config_rule").GetString());
        Assert.Equal(5, e.GetProperty("unmapped").GetProperty("days_until_deletion").GetInt32());
        var cluster = e.GetProperty("resources")[0];
        Assert.Equal("cn-hangzhou", cluster.GetProperty("region").GetString());
        Assert.Equal(ReportFixtures.PlantedClusterName, cluster.GetProperty("name").GetString());
        Assert.Equal(ReportFixtures.DoomedKey, e.GetProperty("resources")[1].GetProperty("uid").GetString());
        Assert.Equal($"ackfc:{ReportFixtures.PlantedClusterId}:{RuleCatalog.KeyPendingDeletion}", e.GetProperty("finding_info").GetProperty("uid").GetString());
        Assert.Equal("The cluster's key is not pending deletion", e.GetProperty("finding_info").GetProperty("title").GetString());
        Assert.Contains("deleted in 5 days", e.GetProperty("finding_info").GetProperty("desc").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FindingStatus.Pass, 1, 1)]
    [InlineData(FindingStatus.Unknown, 2, 5)]
    [InlineData(FindingStatus.Waived, 3, 5)]
    [InlineData(FindingStatus.NotApplicable, 99, 1)]
    public void Render_Status_MapsComplianceStatusAndSeverity(FindingStatus status, int complianceStatusId, int severityId)
    {
        var finding = ReportFixtures.Fail(RuleCatalog.KeyDisabled, "m", "key-1") with { Status = status };
        var report = ReportFixtures.Report([ReportFixtures.Cluster("c-1", "one", "cn-hangzhou", [finding], "key-1")]);

        var e = Lines(OcsfReportRenderer.Render(report)).Single();

        Assert.Equal(complianceStatusId, e.GetProperty("compliance").GetProperty("status_id").GetInt32());
        Assert.Equal(severityId, e.GetProperty("severity_id").GetInt32());
    }

    [Fact]
    public void Render_WithChanges_CreateUpdateAndCloseActivities()
    {
        var keep = ReportFixtures.Cluster("c-keep", "keep", "cn-hangzhou", [ReportFixtures.Fail(RuleCatalog.Rotation, "rotation off", "key-1")], "key-1");
        var gone = ReportFixtures.Cluster("c-gone", "gone", "cn-hangzhou", [ReportFixtures.Fail(RuleCatalog.KeyDisabled, "disabled", "key-2")], "key-2");
        var fresh = ReportFixtures.Cluster("c-new", "fresh", "cn-hangzhou", [ReportFixtures.Fail(RuleCatalog.DeletionProtection, "no protection", "key-3")], "key-3");
        var before = ReportFixtures.Report([keep, gone], "s1");
        var after = ReportFixtures.Report([keep, fresh], "s2");

        var events = Lines(OcsfReportRenderer.Render(after, ReportComparer.Compare(before, after)));

        int Activity(string cluster) => events.Single(e => e.GetProperty("resources")[0].GetProperty("uid").GetString() == cluster).GetProperty("activity_id").GetInt32();
        Assert.Equal(2, Activity("c-keep"));
        Assert.Equal(1, Activity("c-new"));
        Assert.Equal(3, Activity("c-gone"));
        Assert.Equal(4, events.Single(e => e.GetProperty("activity_id").GetInt32() == 3).GetProperty("status_id").GetInt32());
    }

    private static List<JsonElement> Lines(string jsonl)
    {
        Assert.EndsWith("\n", jsonl, StringComparison.Ordinal);
        return [.. jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }
}
