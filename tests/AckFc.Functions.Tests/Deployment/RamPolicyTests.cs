using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace AckFc.Functions.Tests.Deployment;

/// <summary>
/// Least privilege, both ways: every cloud API the clients can call is in <see cref="CloudPermissions"/>, every RAM
/// action that table needs is granted to the role of the function that calls it (s.yaml's role, the policy attached in
/// docs/deployment.md), and no policy grants anything more.
/// </summary>
public sealed partial class RamPolicyTests
{
    // function (ACKFC_FUNCTION) -> its role name in s.yaml and its policy file.
    private static readonly (string Function, string Role, string Policy)[] Roles =
    [
        ("webhook", "ackfc-webhook", "ram-policy-webhook.json"),
        ("compliance", "ackfc-compliance", "ram-policy-compliance.json"),
        ("guard", "ackfc-guard", "ram-policy-guard.json"),
    ];

    private const string RemediationPolicy = "ram-policy-remediation.json";

    private static string Docs(string file) => Path.Combine(SYamlDocument.RepoRoot, "docs", file);

    private static SortedSet<string> Granted(string file)
    {
        using var policy = JsonDocument.Parse(File.ReadAllText(Docs(file)));
        Assert.Equal("1", policy.RootElement.GetProperty("Version").GetString());
        return new SortedSet<string>(
            policy.RootElement.GetProperty("Statement").EnumerateArray()
                .Where(s => s.GetProperty("Effect").GetString() == "Allow")
                .SelectMany(s => s.GetProperty("Action").EnumerateArray().Select(a => a.GetString()!)),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// The API names the clients send: every <c>regionId, "Action"</c> in the CS and KMS clients, and every
    /// <c>Build(HttpMethod.X, "Action"</c> in the OSS client.
    /// </summary>
    private static SortedSet<string> ClientActions()
    {
        var actions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (file, pattern) in new[] { ("Cs/AckClient.cs", ActionPattern()), ("Kms/KmsClient.cs", ActionPattern()), ("Oss/OssClient.cs", OssActionPattern()) })
        {
            var text = File.ReadAllText(Path.Combine(SYamlDocument.RepoRoot, "functions", "AckFc.AlibabaCloud", file));
            foreach (Match match in pattern.Matches(text))
            {
                actions.Add(match.Groups[1].Value);
            }
        }

        return actions;
    }

    [GeneratedRegex(@"regionId,\s*""([A-Z][A-Za-z0-9]+)""")]
    private static partial Regex ActionPattern();

    [GeneratedRegex(@"Build\(HttpMethod\.[A-Za-z]+,\s*""([A-Z][A-Za-z0-9]+)""")]
    private static partial Regex OssActionPattern();

    [Fact]
    public void ClientActions_AreExactlyTheApisOfThePermissionTable()
    {
        var tabled = new SortedSet<string>(CloudPermissions.Webhook.Concat(CloudPermissions.Compliance).Concat(CloudPermissions.Guard).Select(c => c.Api), StringComparer.Ordinal);
        var client = ClientActions();

        Assert.True(client.Count >= 15, $"the scan found only {string.Join(", ", client)}: did the clients' shape change?");
        Assert.Equal(client, tabled);
    }

    [Theory]
    [InlineData("webhook")]
    [InlineData("compliance")]
    [InlineData("guard")]
    public void EachRole_GrantsExactlyWhatItsFunctionCalls(string function)
    {
        var (_, _, policy) = Roles.Single(r => r.Function == function);
        var calls = CloudPermissions.Of(function);
        var always = new SortedSet<string>(calls.Where(c => !c.RemediationOnly).SelectMany(c => c.RamActions), StringComparer.Ordinal);

        Assert.Equal(always, Granted(policy));
        var remediation = Granted(RemediationPolicy);
        foreach (var action in calls.Where(c => c.RemediationOnly).SelectMany(c => c.RamActions))
        {
            Assert.True(remediation.Contains(action) || always.Contains(action), $"{function} may call {action} when remediating, but no policy grants it");
        }
    }

    [Fact]
    public void MemberAuditRole_GrantsExactlyTheComplianceReadsOfClustersAndKeys_AndTrustsTheManagementAccount()
    {
        // Issue 14: the role assumed in member accounts reads what the sweep reads there (CS and KMS), never OSS
        // (reports stay in the management account's store) and never a write.
        var reads = new SortedSet<string>(
            CloudPermissions.Compliance.Where(c => !c.RemediationOnly).SelectMany(c => c.RamActions).Where(a => a.StartsWith("cs:", StringComparison.Ordinal) || a.StartsWith("kms:", StringComparison.Ordinal)),
            StringComparer.Ordinal);

        Assert.Equal(reads, Granted("ram-policy-member-audit.json"));
        using var trust = JsonDocument.Parse(File.ReadAllText(Docs("ram-trust-policy-member-audit.json")));
        var statement = Assert.Single(trust.RootElement.GetProperty("Statement").EnumerateArray());
        Assert.Equal("sts:AssumeRole", statement.GetProperty("Action").GetString());
        Assert.Equal(["acs:ram::<ManagementAccountID>:root"], statement.GetProperty("Principal").GetProperty("RAM").EnumerateArray().Select(p => p.GetString()));
        var guide = File.ReadAllText(Docs("deployment.md"));
        Assert.Contains("docs/ram-policy-member-audit.json", guide, StringComparison.Ordinal);
        Assert.Contains("docs/ram-trust-policy-member-audit.json", guide, StringComparison.Ordinal);
        Assert.Contains(Core.Accounts.AccountOptions.DefaultMemberRole, guide, StringComparison.Ordinal);
    }

    [Fact]
    public void RemediationPolicy_GrantsOnlyRemediationActions()
    {
        var needed = new SortedSet<string>(
            CloudPermissions.Webhook.Concat(CloudPermissions.Compliance).Concat(CloudPermissions.Guard).Where(c => c.RemediationOnly).SelectMany(c => c.RamActions),
            StringComparer.Ordinal);

        Assert.Equal(needed, Granted(RemediationPolicy));
    }

    [Fact]
    public void DescribeClustersV1_NeedsBothOfItsRamActions()
    {
        // The vendor's table: DescribeClustersV1 is authorised by cs:DescribeClustersV1 and cs:GetClusters.
        var call = CloudPermissions.Compliance.Single(c => c.Api == "DescribeClustersV1");

        Assert.Equal(["cs:DescribeClustersV1", "cs:GetClusters"], call.RamActions.Order(StringComparer.Ordinal));
        Assert.Contains("cs:GetClusters", Granted("ram-policy-compliance.json"));
        Assert.Contains("cs:GetClusters", Granted("ram-policy-webhook.json"));
        Assert.Contains("cs:GetClusters", Granted("ram-policy-guard.json"));
    }

    [Fact]
    public void SYaml_GivesEachFunctionItsOwnRole_AndTheGuideCreatesAndAttachesIt()
    {
        var guide = File.ReadAllText(Docs("deployment.md"));
        foreach (var (name, props) in SYamlDocument.Load().Resources)
        {
            var function = props["environmentVariables"]!["ACKFC_FUNCTION"]!.GetValue<string>();
            var (_, role, policy) = Roles.Single(r => r.Function == function);

            Assert.EndsWith(":role/" + role, props["role"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains($"--RoleName {role}", guide, StringComparison.Ordinal);
            Assert.Contains($"docs/{policy}", guide, StringComparison.Ordinal);
            Assert.True(name.Length > 0);
        }

        Assert.Contains("fc.aliyuncs.com", File.ReadAllText(Docs("ram-trust-policy.json")), StringComparison.Ordinal);
        Assert.Contains("docs/ram-trust-policy.json", guide, StringComparison.Ordinal);
    }

    [Fact]
    public void GuardRole_ReadsOnly_ItsProtectiveWritesComeFromTheRemediationPolicy()
    {
        var guard = Granted("ram-policy-guard.json");
        var writes = CloudPermissions.Guard.Where(c => c.RemediationOnly).SelectMany(c => c.RamActions).ToList();

        Assert.Equal(["cs:UpdateKMSEncryption", "kms:CancelKeyDeletion", "kms:EnableKey", "kms:SetDeletionProtection"], writes.Order(StringComparer.Ordinal));
        // In the store the guard only creates and lists its markers: no report of the sweep can be read or deleted by it.
        Assert.DoesNotContain("oss:DeleteObject", guard);
        Assert.DoesNotContain("oss:GetObject", guard);
        Assert.DoesNotContain(guard, a => writes.Contains(a));
        Assert.Superset(new SortedSet<string>(writes, StringComparer.Ordinal), Granted(RemediationPolicy));
        Assert.Contains("--PolicyName ackfc-remediation --RoleName ackfc-guard", File.ReadAllText(Docs("deployment.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Guide_RecordsTheSourceOfEveryGrantedAction()
    {
        var guide = File.ReadAllText(Docs("deployment.md"));
        var all = Roles.Select(r => r.Policy).Append(RemediationPolicy).SelectMany(Granted).Distinct();

        foreach (var action in all)
        {
            // One row of the sources table per action: | `cs:GetClusters` | API | source |
            Assert.Matches($@"\| `{Regex.Escape(action)}` \|[^\n]*https://", guide);
        }
    }

    [Fact]
    public void WebhookRole_MayClaimAndReadReplaySignaturesUnderItsReportStore()
    {
        // Issue 12: the shared replay memory puts {prefix}replay/{keyId}/{sha256} (create-only) and, after a 409, reads
        // its metadata (HeadObject is oss:GetObject). The role's object grant must cover that key in the s.yaml store.
        const string Account = "1234567890123456";
        var webhook = SYamlDocument.Load().Resources
            .Single(r => r.Props["environmentVariables"]?["ACKFC_FUNCTION"]?.GetValue<string>() == "webhook").Props;
        var storeSetting = webhook["environmentVariables"]!["ACKFC_REPORT_STORE"]!.GetValue<string>().Replace("${config('AccountID')}", Account, StringComparison.Ordinal);
        var store = Core.Reporting.ReportStoreOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ACKFC_REPORT_STORE"] = storeSetting, ["FC_REGION"] = "cn-hangzhou" }).Build());
        Assert.True(store.IsOss, $"s.yaml's webhook store is {storeSetting}");
        var claim = $"acs:oss:cn-hangzhou:{Account}:{store.Bucket}/{OssReplayMemory.KeyOf(store.Prefix, "ci", "v1-value")}";

        using var policy = JsonDocument.Parse(File.ReadAllText(Docs("ram-policy-webhook.json")));
        foreach (var action in new[] { "oss:PutObject", "oss:GetObject" })
        {
            Assert.Contains(policy.RootElement.GetProperty("Statement").EnumerateArray(), statement =>
                statement.GetProperty("Effect").GetString() == "Allow"
                && statement.GetProperty("Action").EnumerateArray().Any(a => a.GetString() == action)
                && Resources(statement).Any(resource => Regex.IsMatch(claim, "^" + Regex.Escape(resource).Replace(@"\*", ".*", StringComparison.Ordinal) + "$")));
        }

        static IEnumerable<string> Resources(JsonElement statement) =>
            statement.GetProperty("Resource") is { ValueKind: JsonValueKind.Array } many ? many.EnumerateArray().Select(r => r.GetString()!) : [statement.GetProperty("Resource").GetString()!];
    }
}
