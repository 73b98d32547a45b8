using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace AckFc.Functions.Tests.Deployment;

/// <summary>
/// s.yaml rendered by the real Serverless Devs CLI (<c>s preview</c>, <c>@serverless-devs/s</c> 3.1.10 from
/// tests/serverless-devs), so <c>${vars}</c>, <c>${env}</c> and <c>${config}</c> resolve exactly as the tool resolves
/// them; then the rendered props pass the same schema, strict and drift checks. Offline: preview renders without
/// loading the fc3 component. Placeholder credentials only, in a throw-away home directory.
/// </summary>
public sealed class SPreviewTests
{
    private const string AccountId = "1234567890123456";

    private static readonly Lazy<Task<JsonObject>> Rendered = new(() => PreviewAsync(File.ReadAllText(Path.Combine(SYamlDocument.RepoRoot, "s.yaml"))));

    internal static async Task<JsonObject> PreviewAsync(string sYaml)
    {
        var tools = Path.Combine(SYamlDocument.RepoRoot, "tests", "serverless-devs");
        var cli = Path.Combine(tools, "node_modules", "@serverless-devs", "s", "bin", "s");
        Assert.True(File.Exists(cli), "tests/serverless-devs/node_modules is missing: run `npm ci` in tests/serverless-devs (the pinned Serverless Devs CLI).");

        var work = Path.Combine(Path.GetTempPath(), "ackfc-s-preview-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path.Combine(work, "home"));
        try
        {
            var template = Path.Combine(work, "s.yaml");
            await File.WriteAllTextAsync(template, sYaml);
            var info = new ProcessStartInfo("node")
            {
                WorkingDirectory = work,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { cli, "preview", "-t", template, "-o", "json", "--silent" })
            {
                info.ArgumentList.Add(arg);
            }

            // Only what a deployer sets: the three credential variables, with placeholders. Nothing ACKFC_*: a deploy
            // must not need a secret from the environment.
            foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ACKFC_", StringComparison.Ordinal) || k.StartsWith("ALIBABA_CLOUD_", StringComparison.Ordinal)).ToList())
            {
                info.Environment.Remove(name);
            }

            info.Environment["HOME"] = Path.Combine(work, "home");
            info.Environment["AccountID"] = AccountId;
            info.Environment["AccessKeyID"] = "placeholder-access-key-id";
            info.Environment["AccessKeySecret"] = "placeholder-access-key-secret";

            using var process = new Process { StartInfo = info };
            try
            {
                process.Start();
            }
            catch (Win32Exception)
            {
                Assert.Fail("node was not found on PATH: install Node.js 20 or later (it runs the Serverless Devs CLI).");
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("s preview did not finish within 120 s.");
            }

            var output = await stdout;
            Assert.True(process.ExitCode == 0, $"s preview failed (exit {process.ExitCode}):{Environment.NewLine}{output}{await stderr}");
            var start = output.IndexOf('{', StringComparison.Ordinal);
            Assert.True(start >= 0, $"s preview printed no JSON:{Environment.NewLine}{output}");
            return JsonNode.Parse(output[start..])!.AsObject();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static IEnumerable<(string Name, JsonObject Props)> Resources(JsonObject root) =>
        root["resources"]!.AsObject().Select(r => (r.Key, r.Value!["props"]!.AsObject()));

    [Fact]
    public async Task RenderedByTheRealCli_EveryResourcePassesTheSchemaAndStrictChecks()
    {
        var root = await Rendered.Value;

        Assert.Equal(["compliance", "guard", "webhook"], Resources(root).Select(r => r.Name).Order(StringComparer.Ordinal));
        foreach (var (name, props) in Resources(root))
        {
            var errors = SYamlTests.SchemaErrors(props).Concat(SYamlTests.StrictProblems(props)).ToList();
            Assert.True(errors.Count == 0, $"{name} as s preview renders it: {string.Join("; ", errors)}");
            Assert.Equal("ackfc-" + name, props["functionName"]!.GetValue<string>());
            Assert.Equal(name, props["environmentVariables"]!["ACKFC_FUNCTION"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task RenderedByTheRealCli_ResolvesVarsAndConfigAsTheOfflineCheckAssumes()
    {
        var root = await Rendered.Value;
        var offline = SYamlDocument.Load();

        foreach (var (name, props) in Resources(root))
        {
            var environment = props["environmentVariables"]!.AsObject();
            Assert.Equal("cn-hangzhou,cn-shanghai", environment["ACKFC_REGIONS"]!.GetValue<string>());
            Assert.Equal(
                $"acs:ram::{AccountId}:role/ackfc-{name}", props["role"]!.GetValue<string>());
            Assert.Equal($"ackfc-logs-{AccountId}", props["logConfig"]!["project"]!.GetValue<string>());
            Assert.DoesNotContain("${", props.ToJsonString(), StringComparison.Ordinal);

            // The offline substitution the other s.yaml tests rely on gives the same props as the real tool.
            var mine = JsonNode.Parse(offline.Resources.Single(r => r.Name == name).Props.ToJsonString()
                .Replace("1234567890123456", AccountId, StringComparison.Ordinal));
            Assert.True(JsonNode.DeepEquals(mine, JsonNode.Parse(props.ToJsonString())), $"{name}: s preview renders{Environment.NewLine}{props}{Environment.NewLine}the offline check assumed{Environment.NewLine}{mine}");
        }
    }

    [Fact]
    public async Task RenderedByTheRealCli_NeedsNoSecretFromTheEnvironment()
    {
        // Rendered with no ACKFC_* variable set (PreviewAsync clears them): the webhook names its KMS secret instead.
        var root = await Rendered.Value;
        var webhook = Resources(root).Single(r => r.Name == "webhook").Props["environmentVariables"]!.AsObject();

        Assert.Equal("ackfc-webhook-keys", webhook["ACKFC_WEBHOOK_SECRET_NAME"]!.GetValue<string>());
        Assert.Null(webhook["ACKFC_WEBHOOK_SECRETS"]);
    }

    [Fact]
    public async Task RenderedByTheRealCli_TheGuardsPatternStaysAStringEqualToTheCode()
    {
        // The tool resolves ${...} inside strings: the pattern must come out as the same text, still a string.
        var root = await Rendered.Value;
        var trigger = Assert.Single(Resources(root).Single(r => r.Name == "guard").Props["triggers"]!.AsArray())!;
        var pattern = trigger["triggerConfig"]!["eventRuleFilterPattern"]!;

        Assert.Equal("eventbridge", trigger["triggerType"]!.GetValue<string>());
        Assert.Equal(System.Text.Json.JsonValueKind.String, pattern.GetValueKind());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(GuardFunction.FilterPattern), JsonNode.Parse(pattern.GetValue<string>())), pattern.ToJsonString());
        Assert.Equal("Default", trigger["triggerConfig"]!["eventSourceConfig"]!["eventSourceType"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheOldSnippet_FailsInTheRealCliWithoutItsVariable()
    {
        // What the README's deploy snippet met before: a required ${env(...)} the snippet never set.
        var text = File.ReadAllText(Path.Combine(SYamlDocument.RepoRoot, "s.yaml"))
            .Replace("ACKFC_WEBHOOK_SECRET_NAME: ${vars.webhookSecretName}", "ACKFC_WEBHOOK_SECRETS: ${env('ACKFC_WEBHOOK_SECRETS')}", StringComparison.Ordinal);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => PreviewAsync(text));

        Assert.Contains("ACKFC_WEBHOOK_SECRETS", failure.Message, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(failure.Message) > 0);
    }
}
