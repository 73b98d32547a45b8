using System.Text;
using System.Text.Json;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.AlibabaCloud.Signing;
using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Reporting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

namespace AckFc.Benchmarks;

/// <summary>BenchmarkDotNet micro benchmarks of the hot paths, with allocations.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class MicroBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 3, 0, 0, TimeSpan.Zero);
    private readonly KeyValuePair<string, string>[] headers =
    [
        new("host", "cs.cn-hangzhou.aliyuncs.com"), new("x-acs-action", "DescribeClustersV1"), new("x-acs-version", "2015-12-15"),
        new("x-acs-date", "2026-11-28T03:00:00Z"), new("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
        new("x-acs-content-sha256", AcsV3Signer.EmptyPayloadHash),
    ];

    private byte[] page = [];
    private AckCluster cluster = null!;
    private KeyEvidence key = null!;
    private AckFcPolicy policy = null!;
    private ClusterJudge judge = null!;
    private ComplianceReport report = null!;
    private ReportTrend trend = null!;

    [GlobalSetup]
    public void Setup()
    {
        var clusters = Enumerable.Range(0, 100).Select(i =>
            $$$"""{"cluster_id":"c{{{i:D32}}}","name":"cluster-{{{i}}}","region_id":"cn-hangzhou","state":"running","cluster_type":"ManagedKubernetes","cluster_spec":"ack.pro.small","profile":"Default","tags":[{"key":"env","value":"prod"}],"meta_data":"{\"Capabilities\":{\"EncryptionKMSKeyId\":\"key-{{{i % 7}}}\",\"DisableEncryption\":false}}","updated":"2026-11-01T00:00:00+08:00"}""");
        page = Encoding.UTF8.GetBytes($$$"""{"clusters":[{{{string.Join(',', clusters)}}}],"page_info":{"page_number":1,"page_size":100,"total_count":100}}""");
        cluster = new AckCluster("c-a", "a", "cn-hangzhou", "running", "ManagedKubernetes", "ack.pro.small", "Default",
            new Dictionary<string, string>(), ClusterEncryption.On("key-1"));
        key = KeyEvidence.Read(new KmsKeyMetadata
        {
            KeyId = "key-1", Arn = "acs:kms:cn-hangzhou:1:key/key-1", KeyState = "PendingDeletion", KeySpec = "Aliyun_AES_256",
            KeyUsage = "ENCRYPT/DECRYPT", DeleteDate = Now.AddDays(5), AutomaticRotation = "Disabled",
        }, false, ["alias/ackfc-a"]);
        policy = PolicyLoader.Parse("version: 1\nkeys:\n  allowed: [\"alias/ackfc-*\"]\n"u8.ToArray(), "bench").Policy;
        judge = new ClusterJudge(new FixedTime(Now));
        var reports = Enumerable.Range(0, 10_000).Select(i => judge.Judge(cluster with { ClusterId = $"c-{i:D8}", Name = $"<cluster {i}>" }, key, policy)).ToList();
        report = new ComplianceReport
        {
            SweepId = "bench", StartedAt = Now, FinishedAt = Now, Complete = true, Mode = SweepMode.Report, Regions = ["cn-hangzhou"],
            PolicyVersion = new string('0', 64), Summary = ReportSummary.From(reports), Clusters = reports,
        };
        trend = new ReportTrend(
            [.. Enumerable.Range(1, 29).Select(d => new TrendPoint($"daily-{d:D2}", Now.AddDays(d - 30), d % 7, d % 3, 100 - (d % 7) - (d % 3)))],
            TrendPoint.Of(report, fullScope: true));
    }

    [Benchmark]
    public string SignRequest() =>
        AcsV3Signer.Sign("GET", "/api/v1/clusters", "page_number=1&page_size=100&region_id=cn-hangzhou", headers, AcsV3Signer.EmptyPayloadHash, "secret").Signature;

    [Benchmark]
    public int ParseClusterPage()
    {
        var parsed = JsonSerializer.Deserialize(page, CsJsonContext.Default.CsClustersPage)!;
        var enabled = 0;
        foreach (var wire in parsed.Clusters!)
        {
            enabled += ClusterMetadata.ParseEncryption(wire!.MetaData).State == EncryptionState.Enabled ? 1 : 0;
        }

        return enabled;
    }

    [Benchmark]
    public ClusterReport JudgeCluster() => judge.Judge(cluster, key, policy);

    /// <summary>What the report set does: the page written through a UTF-8 writer as it renders (here into no file).</summary>
    [Benchmark]
    public long RenderHtml10000Clusters()
    {
        using var sink = new CountingStream();
        using (var writer = new StreamWriter(sink, new System.Text.UTF8Encoding(false), 16 * 1024, leaveOpen: true))
        {
            HtmlReportRenderer.Write(writer, report);
        }

        return sink.Length;
    }

    /// <summary>The trend section of a page: 30 sweeps as bars and as a table (rendered into every report.html).</summary>
    [Benchmark]
    public int RenderTrend30Sweeps()
    {
        var html = new StringBuilder(16 * 1024);
        HtmlCharts.WriteTrend(html, trend);
        return html.Length;
    }

    /// <summary>A write-only stream that only counts what it is given.</summary>
    private sealed class CountingStream : Stream
    {
        private long written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => written;
        public override long Position { get => written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => written += count;
        public override void Write(ReadOnlySpan<byte> buffer) => written += buffer.Length;
    }

    public static Task<int> RunAsync(string[] args)
    {
        BenchmarkRunner.Run<MicroBenchmarks>(args: args);
        return Task.FromResult(0);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
