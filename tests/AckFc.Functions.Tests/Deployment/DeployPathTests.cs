using System.Text.RegularExpressions;

namespace AckFc.Functions.Tests.Deployment;

/// <summary>The deploy path as an operator meets it: s.yaml, the publish settings, README and docs/deployment.md agree.</summary>
public sealed partial class DeployPathTests
{
    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([SYamlDocument.RepoRoot, .. path]));

    [Fact]
    public void LogConfig_NeverMergesLines()
    {
        // fc3's `logConfig: auto` sets logBeginRule DefaultRegex: lines not starting with a date (every JSON line) get merged.
        foreach (var (name, props) in SYamlDocument.Load().Resources)
        {
            var log = props["logConfig"];
            Assert.True(log is System.Text.Json.Nodes.JsonObject, $"{name}: logConfig must be explicit, not '{log}'");
            Assert.Equal("None", log!["logBeginRule"]?.GetValue<string>());
        }
    }

    [Fact]
    public void Regions_AreWrittenOnceInVars()
    {
        var text = Read("s.yaml");

        Assert.Single(RegionList().Matches(text));
        foreach (var (name, props) in SYamlDocument.Load().Resources)
        {
            Assert.Equal("cn-hangzhou,cn-shanghai", props["environmentVariables"]!["ACKFC_REGIONS"]!.GetValue<string>());
        }

        Assert.Equal(SYamlDocument.Load().Resources.Count(), Regex.Count(text, Regex.Escape("ACKFC_REGIONS: ${vars.regions}")));
    }

    [GeneratedRegex(@"cn-hangzhou,\s*cn-shanghai")]
    private static partial Regex RegionList();

    [Fact]
    public void EveryFunction_KeepsReportsInTheBucket_NotInTheInstancesTmp()
    {
        var text = Read("s.yaml");

        Assert.DoesNotContain("/tmp/reports", text, StringComparison.Ordinal);
        foreach (var (name, props) in SYamlDocument.Load().Resources)
        {
            var environment = props["environmentVariables"]!;
            Assert.Equal("oss://ackfc-reports-1234567890123456/ackfc", environment["ACKFC_REPORT_STORE"]?.GetValue<string>());
            Assert.Equal("https://oss-{region}-internal.aliyuncs.com", environment["ACKFC_OSS_ENDPOINT"]?.GetValue<string>());
            Assert.True(name.Length > 0);
        }

        Assert.Contains("--acl private", Read("docs", "deployment.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void SYaml_ReadsNoSecretFromTheEnvironment()
    {
        var text = Read("s.yaml");

        Assert.DoesNotContain("${env(", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ACKFC_WEBHOOK_SECRETS:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Guard_HasItsOwnRole_AndNoSecretInItsEnvironment()
    {
        var guard = SYamlDocument.Load().Resources.Single(r => r.Name == "guard").Props;
        var environment = guard["environmentVariables"]!.AsObject();

        Assert.Equal("ackfc-guard", guard["functionName"]!.GetValue<string>());
        Assert.Equal("acs:ram::1234567890123456:role/ackfc-guard", guard["role"]!.GetValue<string>());
        Assert.Equal("guard", environment["ACKFC_FUNCTION"]!.GetValue<string>());
        foreach (var (name, value) in environment)
        {
            // Credentials come from the role; channel URLs and secrets (tokens in them) never sit in a function's settings.
            Assert.False(SecretLike().IsMatch(name), $"the guard's environment has {name}");
            // The only addresses are the report store and the OSS endpoint: no query or user part a token could sit in.
            var text = value!.ToString();
            Assert.True(!text.Contains("://", StringComparison.Ordinal) || name is "ACKFC_REPORT_STORE" or "ACKFC_OSS_ENDPOINT", $"{name} is an address");
            Assert.DoesNotContain("?", text, StringComparison.Ordinal);
            Assert.DoesNotContain("@", text, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("SECRET|TOKEN|PASSWORD|ACCESS_KEY|_URL|NOTIFY", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLike();

    [Fact]
    public void Guard_ItsEventBridgeTriggerIsItsLast_AndTheSmokeTestInvokesIt()
    {
        var guard = SYamlDocument.Load().Resources.Single(r => r.Name == "guard").Props;
        var smoke = Read("scripts", "smoke-test.sh");

        Assert.Equal("eventbridge", guard["triggers"]!.AsArray()[^1]!["triggerType"]!.GetValue<string>());
        Assert.Contains("guard invoke", smoke, StringComparison.Ordinal);
        Assert.Contains("\"decision\":\"ignored\"", smoke, StringComparison.Ordinal);
    }

    [Fact]
    public void Guide_CoversWhatFc3MayNotCreateAndTheFirstDeployChecks()
    {
        var guide = Read("docs", "deployment.md");

        foreach (var needed in new[]
        {
            "AliyunServiceRoleForEventBridgeSourceActionTrail", "AliyunServiceRoleForEventBridgeSendToFC", "AliyunServiceRoleForFCTriggerEventBridge",
            "source-actiontrail.eventbridge.aliyuncs.com", "sendevent-fc.eventbridge.aliyuncs.com",
            "asyncInvocationType", "10 rules", "s guard deploy", "ackfc-guard", "docs/ram-policy-guard.json", "kms-audit",
        })
        {
            Assert.Contains(needed, guide, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Publish_ShipsNoSymbols_AndCiKeepsThemAsAnArtifact()
    {
        var project = Read("functions", "AckFc.Functions", "AckFc.Functions.csproj");
        var ci = Read(".github", "workflows", "ci.yml") + Read(".github", "workflows", "deploy.yml");

        Assert.Contains("AfterTargets=\"Publish\"", project, StringComparison.Ordinal);
        Assert.Contains("$(PublishDir)*.dbg;$(PublishDir)*.pdb", project, StringComparison.Ordinal);
        Assert.Contains("<StripSymbols>true</StripSymbols>", project, StringComparison.Ordinal);
        Assert.Contains("upload-artifact", ci, StringComparison.Ordinal);
        Assert.Contains(".dbg", ci, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadmeAndGuide_AgreeWithSYaml()
    {
        var readme = Read("README.md");
        var guide = Read("docs", "deployment.md");
        var deploy = Read(".github", "workflows", "deploy.yml");

        foreach (var text in new[] { readme, guide })
        {
            Assert.Contains("ackfc-webhook", text, StringComparison.Ordinal);
            Assert.Contains("ackfc-compliance", text, StringComparison.Ordinal);
            Assert.Contains("ackfc-guard", text, StringComparison.Ordinal);
            Assert.Contains("ackfc-webhook-keys", text, StringComparison.Ordinal);
            Assert.Contains("@serverless-devs/s@3.1.10", text, StringComparison.Ordinal);
            Assert.DoesNotContain("ram-policy.json", text, StringComparison.Ordinal);
            Assert.DoesNotContain("ACKFC_WEBHOOK_SECRETS=", text, StringComparison.Ordinal);
        }

        Assert.Contains("@serverless-devs/s@3.1.10", deploy, StringComparison.Ordinal);
        Assert.Contains("scripts/smoke-test.sh", deploy, StringComparison.Ordinal);
        Assert.Contains("scripts/smoke-test.sh", guide, StringComparison.Ordinal);
        Assert.Contains("s compliance deploy", guide, StringComparison.Ordinal);
    }
}
