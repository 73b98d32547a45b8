using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Compliance;
using AckFc.Core.Encryption;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Rules;
using AckFc.Core.Settings;
using AckFc.Core.Tests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static AckFc.Core.Tests.TestDoubles.Fakes;

namespace AckFc.Core.Tests.Compliance;

public sealed class ComplianceServiceTests
{
    private readonly IAckClient ack = Substitute.For<IAckClient>();
    private readonly IKmsClient kms = Substitute.For<IKmsClient>();
    private readonly IEncryptionService encryption = Substitute.For<IEncryptionService>();
    private readonly RecordingAuditSink audit = new();
    private readonly FakeTimeProvider time = new(Now);
    private static readonly string[] Regions = ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"];

    private ComplianceService Service(string policy = "version: 1\n") => new(ack, kms, new StaticPolicyProvider(PolicyOf(policy)), encryption, audit,
        new AckFcCoreOptions { Regions = Regions }, time, NullLogger<ComplianceService>.Instance);

    private Dictionary<string, List<AckCluster>> Fleet()
    {
        // 250 clusters in hangzhou (3 pages) sharing 4 keys, 120 in shanghai (2 pages) sharing 2, 3 in singapore with one key each.
        var fleet = new Dictionary<string, List<AckCluster>>
        {
            ["cn-hangzhou"] = [.. Enumerable.Range(0, 250).Select(i => Cluster($"c-hz-{i:000000}", "cn-hangzhou", $"key-hz-{i % 4}"))],
            ["cn-shanghai"] = [.. Enumerable.Range(0, 120).Select(i => Cluster($"c-sh-{i:000000}", "cn-shanghai", $"key-sh-{i % 2}"))],
            ["ap-southeast-1"] = [.. Enumerable.Range(0, 3).Select(i => Cluster($"c-sg-{i:000000}", "ap-southeast-1", $"key-sg-{i}"))],
        };
        foreach (var (region, clusters) in fleet)
        {
            ack.ListClustersAsync(region, Arg.Any<CancellationToken>()).Returns(_ => Stream(clusters));
            kms.ListKeysAsync(region, Arg.Any<IReadOnlyList<KmsKeyFilter>>(), Arg.Any<CancellationToken>()).Returns(_ => Stream<KmsKeyReference>([]));
        }

        kms.DescribeKeyAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(call => Key(call.ArgAt<string>(1), call.ArgAt<string>(0)));
        return fleet;
    }

    [Fact]
    public async Task SweepAsync_SeveralRegionsPagesAndSharedKeys_MakesExactlyTheMinimumCalls()
    {
        Fleet();

        var report = await Service().SweepAsync(new SweepRequest(SweepMode.Report, null, "s1", "test"));

        Assert.Equal(373, report.Clusters.Count);
        Assert.True(report.Complete);
        foreach (var region in Regions)
        {
            ack.Received(1).ListClustersAsync(region, Arg.Any<CancellationToken>());
            kms.Received(1).ListKeysAsync(region, Arg.Is<IReadOnlyList<KmsKeyFilter>>(f => f.Single() == KmsKeyFilter.ServiceKeys), Arg.Any<CancellationToken>());
        }

        // One DescribeKey per distinct key: 4 + 2 + 3.
        Assert.Equal(9, kms.ReceivedCalls().Count(c => c.GetMethodInfo().Name == nameof(IKmsClient.DescribeKeyAsync)));
        Assert.DoesNotContain(ack.ReceivedCalls(), c => c.GetMethodInfo().Name != nameof(IAckClient.ListClustersAsync));
        Assert.DoesNotContain(kms.ReceivedCalls(), c => c.GetMethodInfo().Name == nameof(IKmsClient.ListAliasesAsync));
        Assert.Equal(373, report.Summary.Pass);
    }

    [Fact]
    public async Task SweepAsync_AllowListWithAliases_ListsAliasesOncePerRegion()
    {
        Fleet();
        kms.ListAliasesAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(_ => Stream<KmsAlias>([new("alias/ok-hz", "key-hz-0", null)]));

        var report = await Service("version: 1\nkeys:\n  allowed: [\"alias/ok-*\"]\n").SweepAsync(new SweepRequest(SweepMode.Report, null, "s1", "test"));

        Assert.Equal(3, kms.ReceivedCalls().Count(c => c.GetMethodInfo().Name == nameof(IKmsClient.ListAliasesAsync)));
        Assert.All(report.Clusters.Where(c => c.Encryption.KmsKeyId == "key-hz-0"), c => Assert.Equal(FindingStatus.Pass, c.Status));
        Assert.All(report.Clusters.Where(c => c.Encryption.KmsKeyId == "key-hz-1"),
            c => Assert.Contains(c.Findings, f => f.RuleId == RuleCatalog.KeyNotAllowed && f.Status == FindingStatus.Fail));
    }

    [Fact]
    public async Task SweepAsync_DuplicateAcrossPages_ReportedOnce()
    {
        var c = Cluster("c-dup-000001", "cn-hangzhou", null);
        ack.ListClustersAsync("cn-hangzhou", Arg.Any<CancellationToken>()).Returns(_ => Stream([c, c]));
        kms.ListKeysAsync(default!, default!, default).ReturnsForAnyArgs(_ => Stream<KmsKeyReference>([]));

        var report = await Service().SweepAsync(new SweepRequest(SweepMode.Report, ["cn-hangzhou"], "s1", "test"));

        Assert.Single(report.Clusters);
        Assert.Equal(FindingStatus.Fail, report.Clusters[0].Status);
    }

    [Fact]
    public async Task SweepAsync_RegionListingFails_ErrorEntryAndIncompleteWithOtherRegionsIntact()
    {
        Fleet();
        ack.ListClustersAsync("cn-shanghai", Arg.Any<CancellationToken>())
            .Returns(_ => Failing<AckCluster>(new AlibabaCloudException(AlibabaCloudErrorKind.Transient, "ServiceUnavailable", "down", 503, "R-1")));

        var report = await Service().SweepAsync(new SweepRequest(SweepMode.Report, null, "s1", "test"));

        Assert.False(report.Complete);
        var error = Assert.Single(report.Errors, e => e.Scope == "region");
        Assert.Equal(("cn-shanghai", "ServiceUnavailable", "R-1"), (error.RegionId, error.Code, error.RequestId));
        Assert.Equal(253, report.Clusters.Count);
    }

    [Fact]
    public async Task SweepAsync_DescribeKeyFails_ClustersUnknownNeverPass()
    {
        Fleet();
        kms.DescribeKeyAsync("cn-hangzhou", "key-hz-1", Arg.Any<CancellationToken>())
            .ThrowsAsync(new AlibabaCloudException(AlibabaCloudErrorKind.ClientError, "Forbidden.NoPermission", "denied", 403, "R-9"));

        var report = await Service().SweepAsync(new SweepRequest(SweepMode.Report, null, "s1", "test"));

        var affected = report.Clusters.Where(c => c.Encryption.KmsKeyId == "key-hz-1").ToList();
        Assert.NotEmpty(affected);
        Assert.All(affected, c =>
        {
            Assert.Equal(FindingStatus.Unknown, c.Status);
            Assert.Contains(c.Findings, f => f.ErrorCode == "Forbidden.NoPermission" && f.RequestId == "R-9");
        });
        Assert.Contains(report.Errors, e => e.Scope == "key" && e.KmsKeyId == "key-hz-1");
    }

    [Fact]
    public async Task SweepAsync_DeadlinePassed_PartialReportMarkedIncomplete()
    {
        Fleet();

        var report = await Service().SweepAsync(new SweepRequest(SweepMode.Report, null, "s1", "test", Deadline: Now.AddSeconds(-1)));

        Assert.False(report.Complete);
        Assert.Contains(report.Errors, e => e.Scope == "deadline");
        Assert.Equal(report.Clusters.Count, report.Clusters.Select(c => c.ClusterId).Distinct().Count());
    }

    private const string RemediationPolicy = """
        version: 1
        remediation:
          cancelKeyDeletion: true
          enableDeletionProtection: true
          maxChangesPerSweep: 1
        """;

    private void DyingKeys()
    {
        ack.ListClustersAsync("cn-hangzhou", Arg.Any<CancellationToken>()).Returns(_ => Stream(new[]
        {
            Cluster("c-a-000001", "cn-hangzhou", "key-dying"),
            Cluster("c-b-000001", "cn-hangzhou", "key-open"),
        }));
        kms.ListKeysAsync(default!, default!, default).ReturnsForAnyArgs(_ => Stream<KmsKeyReference>([]));
        kms.DescribeKeyAsync("cn-hangzhou", "key-dying", Arg.Any<CancellationToken>()).Returns(Key("key-dying", "cn-hangzhou", "PendingDeletion", deleteDate: Now.AddDays(3)));
        kms.DescribeKeyAsync("cn-hangzhou", "key-open", Arg.Any<CancellationToken>()).Returns(Key("key-open", "cn-hangzhou", protection: false));
    }

    [Fact]
    public async Task SweepAsync_ReportMode_PlansButNeverWrites()
    {
        DyingKeys();

        var report = await Service(RemediationPolicy).SweepAsync(new SweepRequest(SweepMode.Report, ["cn-hangzhou"], "s1", "test"));

        Assert.All(report.Actions, a => Assert.Equal(RemediationStatus.Planned, a.Status));
        Assert.Equal(2, report.Actions.Count);
        await kms.DidNotReceiveWithAnyArgs().CancelKeyDeletionAsync(default!, default!, default);
        await kms.DidNotReceiveWithAnyArgs().SetDeletionProtectionAsync(default!, default!, default, default, default);
    }

    [Fact]
    public async Task SweepAsync_Remediate_AppliesUpToTheCapOutageRiskFirst()
    {
        DyingKeys();

        var report = await Service(RemediationPolicy).SweepAsync(new SweepRequest(SweepMode.Remediate, ["cn-hangzhou"], "s1", "test"));

        var applied = Assert.Single(report.Actions, a => a.Status == RemediationStatus.Applied);
        Assert.Equal(RemediationKind.CancelKeyDeletion, applied.Kind);
        Assert.Contains(report.Actions, a => a.Kind == RemediationKind.EnableDeletionProtection && a.Status == RemediationStatus.Planned && a.Reason.Contains("cap", StringComparison.Ordinal));
        await kms.Received(1).CancelKeyDeletionAsync("cn-hangzhou", "key-dying", Arg.Any<CancellationToken>());
        await kms.DidNotReceiveWithAnyArgs().SetDeletionProtectionAsync(default!, default!, default, default, default);
        Assert.Single(audit.Records);
    }

    [Fact]
    public async Task SweepAsync_RetriedAfterTheFix_ReReadsAndSkips()
    {
        DyingKeys();
        // The first read (judging) sees PendingDeletion; the re-read right before acting sees it already cancelled.
        kms.DescribeKeyAsync("cn-hangzhou", "key-dying", Arg.Any<CancellationToken>()).Returns(
            Key("key-dying", "cn-hangzhou", "PendingDeletion", deleteDate: Now.AddDays(3)),
            Key("key-dying", "cn-hangzhou"));

        var report = await Service(RemediationPolicy).SweepAsync(new SweepRequest(SweepMode.Remediate, ["cn-hangzhou"], "s1", "test"));

        Assert.Contains(report.Actions, a => a.Kind == RemediationKind.CancelKeyDeletion && a.Status == RemediationStatus.Skipped);
        await kms.DidNotReceiveWithAnyArgs().CancelKeyDeletionAsync(default!, default!, default);
    }
}
