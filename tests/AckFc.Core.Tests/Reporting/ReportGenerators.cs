using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;
using CsCheck;

namespace AckFc.Core.Tests.Reporting;

/// <summary>Random report data for property tests: hostile text (markup, quotes, CSV and formula characters, CJK),
/// any rule, status and severity, waivers, unknowns with error codes, missing optional fields.</summary>
internal static class ReportGenerators
{
    public static readonly Gen<string> Text = Gen.Char["abcXYZ019 <>&\"',;=+-@\n\t中文é/\\`*_"].Array[0, 24].Select(a => new string(a));

    /// <summary>Characters that hide or reorder text: NUL, BEL, ESC, DEL, NEL, the separators, bidi controls, zero-width.</summary>
    public const string Hidden = "\0\u0007\u001b\u007f\u0085\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f\u2060\ufeff";

    /// <summary>Fleet names as hostile as a cloud account allows: markup, formula starts, mentions, URLs and hidden characters.</summary>
    public static readonly Gen<string> HostileText =
        Gen.Frequency(
            (3, Text),
            (2, Gen.Char["abc <>&;=@:/.`" + Hidden].Array[0, 24].Select(a => new string(a))),
            (1, Gen.OneOf("@channel", "@here", "https://evil.example/x", "www.evil.example", "x;=1+1", "a\u202eexe.txt", "`) <!here>")));
    public static readonly Gen<string> Id = Gen.Char["abcdef0123456789-"].Array[1, 16].Select(a => "c-" + new string(a));
    public static readonly Gen<DateTimeOffset> Time = Gen.Long[0, 400L * 24 * 3600].Select(s => ReportFixtures.Start.AddSeconds(s).ToOffset(TimeSpan.FromHours(s % 3 == 0 ? 8 : 0)));

    public static readonly Gen<Finding> AnyFinding =
        Gen.Select(Gen.OneOf([.. RuleCatalog.All.Select(r => r.Id)]), Gen.Enum<FindingStatus>(), Gen.Enum<Severity>(), HostileText, Text.Null(0.4), Gen.Int[0, 60].Nullable(0.6), Gen.Bool, Time,
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

    public static readonly Gen<ClusterReport> AnyCluster =
        Gen.Select(Id, HostileText, Gen.OneOf("cn-hangzhou", "cn-shanghai", "ap-southeast-1"), AnyFinding.Array[0, 5], Text.Null(0.3), Gen.Bool.Nullable(0.2), Text.Null(0.5), Gen.Bool,
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

    public static readonly Gen<ComplianceReport> AnyReport =
        Gen.Select(Id, AnyCluster.Array[0, 12], Gen.Bool, Time, Gen.Int[0, 3], (id, clusters, complete, at, errors) =>
            ReportFixtures.Report(clusters, "sweep-" + id, at, complete,
                [.. Enumerable.Range(0, errors).Select(i => new ReportError { Scope = "region", RegionId = "cn-hangzhou", Code = "Throttling", Message = $"error {i}" })]));
}
