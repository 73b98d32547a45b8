using System.Text.Json;
using System.Text.Json.Nodes;
using AckFc.Worker;
using Cronos;
using Json.Schema;

namespace AckFc.Functions.Tests.Deployment;

/// <summary>
/// s.yaml is checked three ways: against the fc3 component's schema, against the stricter rules that schema is
/// too weak for (unknown keys, trigger shapes, cron), and against what the code declares (drift).
/// </summary>
public sealed class SYamlTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Deployment", "fc3-props.schema.json"))));

    private static readonly string[] PropsKeys =
    [
        "region", "functionName", "description", "runtime", "handler", "code", "memorySize", "cpu", "diskSize", "timeout",
        "instanceConcurrency", "role", "logConfig", "environmentVariables", "customRuntimeConfig", "triggers",
        "asyncInvokeConfig", "nasConfig", "vpcConfig", "internetAccess", "instanceLifecycleConfig",
    ];

    private static readonly HashSet<string> ContractVariables =
    [
        "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "FC_CUSTOM_LISTEN_PORT", "SSL_CERT_FILE", "HOME",
    ];

    [Fact]
    public void EveryResource_MatchesTheFc3Schema()
    {
        foreach (var (name, props) in SYamlDocument.Load().Resources)
        {
            var errors = SchemaErrors(props);
            Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors)}");
        }
    }

    [Fact]
    public void EveryResource_PassesTheStricterChecks()
    {
        foreach (var (name, props) in SYamlDocument.Load().Resources)
        {
            var problems = StrictProblems(props);
            Assert.True(problems.Count == 0, $"{name}: {string.Join("; ", problems)}");
        }
    }

    [Theory]
    [InlineData("memorySize: 256", "memorySize: 100", true)]
    [InlineData("runtime: custom.debian12", "runtime: dotnet10", true)]
    [InlineData("authType: anonymous", "authType: none", false)]
    [InlineData("cronExpression: CRON_TZ=Asia/Shanghai 0 0 3 * * *", "cronExpression: CRON_TZ=Asia/Shanghai 0 3 * * *", false)]
    [InlineData("cronExpression: CRON_TZ=Asia/Shanghai 0 0 3 * * *", "cronExpression: CRON_TZ=Mars/Olympus 0 0 3 * * *", false)]
    [InlineData("payload: '{\"mode\":\"report\"}'", "payload: '{\"mode\":\"scan\"}'", false)]
    [InlineData("      instanceConcurrency: 20", "      instanceConcurency: 20", false)]
    [InlineData("ACKFC_FUNCTION: webhook", "ACKFC_FUNCTON: webhook", false)]
    [InlineData("            enable: true", "            enable: 'yes'", false)]
    public void MutatedDocument_IsCaught(string original, string mutated, bool bySchema)
    {
        var text = File.ReadAllText(Path.Combine(SYamlDocument.RepoRoot, "s.yaml"));
        Assert.Contains(original, text, StringComparison.Ordinal);
        var document = SYamlDocument.Load(text.Replace(original, mutated, StringComparison.Ordinal));

        var caught = document.Resources.Any(r => (bySchema ? SchemaErrors(r.Props) : StrictProblems(r.Props)).Count > 0);

        Assert.True(caught, $"'{mutated}' was not caught by the {(bySchema ? "schema" : "strict checks")}");
    }

    [Fact]
    public async Task FunctionsAndTriggers_EqualWhatTheCodeDeclares()
    {
        await using var app = FunctionsHost.Build(["ACKFC_REGIONS=cn-hangzhou"], b => b.Urls = "http://127.0.0.1:0");
        var declared = app.Functions.ToDictionary(f => f.Name);
        var deployed = SYamlDocument.Load().Resources.ToList();

        Assert.Equal(declared.Keys.Order(), deployed.Select(r => r.Name).Order());
        foreach (var (name, props) in deployed)
        {
            var function = declared[name];
            // contracts §8: the deployed name is prefixed (a bare `webhook` would overwrite any function of that name).
            Assert.Equal("ackfc-" + name, props["functionName"]!.GetValue<string>());
            Assert.Equal(name, props["environmentVariables"]!["ACKFC_FUNCTION"]!.GetValue<string>());
            var trigger = Assert.Single(props["triggers"]!.AsArray())!;
            if (function.Trigger == TriggerKind.Http)
            {
                Assert.Equal("http", trigger["triggerType"]!.GetValue<string>());
                Assert.Equal(function.Methods.Order(), trigger["triggerConfig"]!["methods"]!.AsArray().Select(m => m!.GetValue<string>()).Order());
            }
            else
            {
                Assert.Equal("timer", trigger["triggerType"]!.GetValue<string>());
                Assert.Equal(function.Schedule, trigger["triggerConfig"]!["cronExpression"]!.GetValue<string>());
            }
        }
    }

    internal static List<string> SchemaErrors(JsonObject props)
    {
        using var document = JsonDocument.Parse(props.ToJsonString());
        var result = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : [.. (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).DefaultIfEmpty("invalid")];
    }

    internal static List<string> StrictProblems(JsonObject props)
    {
        var problems = new List<string>();
        void Keys(JsonObject? o, string where, params string[] allowed)
        {
            foreach (var key in o?.Select(p => p.Key) ?? [])
            {
                if (!allowed.Contains(key))
                {
                    problems.Add($"unknown key {where}.{key}");
                }
            }
        }

        Keys(props, "props", PropsKeys);
        Keys(props["customRuntimeConfig"]?.AsObject(), "customRuntimeConfig", "command", "args", "port", "healthCheckConfig");
        Keys(props["asyncInvokeConfig"]?.AsObject(), "asyncInvokeConfig", "maxAsyncRetryAttempts", "maxAsyncEventAgeInSeconds", "destinationConfig", "asyncTask");
        foreach (var name in props["environmentVariables"]?.AsObject().Select(p => p.Key) ?? [])
        {
            if (!ContractVariables.Contains(name) && !name.StartsWith("ACKFC_", StringComparison.Ordinal))
            {
                problems.Add($"environment variable {name} is not one of the contract's");
            }
        }

        var function = props["environmentVariables"]?["ACKFC_FUNCTION"]?.GetValue<string>();
        if (function is not ("webhook" or "compliance" or "all"))
        {
            problems.Add($"ACKFC_FUNCTION is '{function}'");
        }

        foreach (var trigger in props["triggers"]?.AsArray().Select(t => t!.AsObject()) ?? [])
        {
            Keys(trigger, "trigger", "triggerName", "triggerType", "qualifier", "description", "triggerConfig", "invocationRole", "sourceArn");
            var config = trigger["triggerConfig"]?.AsObject();
            switch (trigger["triggerType"]?.GetValue<string>())
            {
                case "http":
                    Keys(config, "http triggerConfig", "authType", "methods", "disableURLInternet", "authConfig");
                    if (config?["authType"]?.GetValue<string>() is not ("anonymous" or "function" or "jwt"))
                    {
                        problems.Add("http authType must be anonymous, function or jwt");
                    }

                    var methods = config?["methods"]?.AsArray().Select(m => m!.GetValue<string>()).ToList() ?? [];
                    if (methods.Count == 0 || methods.Any(m => m is not ("GET" or "POST" or "PUT" or "DELETE" or "HEAD" or "PATCH" or "OPTIONS")))
                    {
                        problems.Add("http methods must be a non-empty list of HTTP methods");
                    }

                    break;
                case "timer":
                    Keys(config, "timer triggerConfig", "cronExpression", "enable", "payload");
                    problems.AddRange(CronProblems(config?["cronExpression"]?.GetValue<string>()));
                    if (config?["enable"] is not JsonValue enable || enable.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        problems.Add("timer enable must be true or false");
                    }

                    try
                    {
                        var mode = JsonNode.Parse(config?["payload"]?.GetValue<string>() ?? "null")?["mode"]?.GetValue<string>();
                        if (mode is not ("report" or "remediate"))
                        {
                            problems.Add($"timer payload mode is '{mode}'");
                        }
                    }
                    catch (JsonException)
                    {
                        problems.Add("timer payload is not JSON");
                    }

                    if (props["timeout"]?.GetValue<long>() < 60)
                    {
                        problems.Add("a sweep needs a timeout of at least 60 s");
                    }

                    break;
                default:
                    problems.Add($"trigger type {trigger["triggerType"]} is not used by AckFc");
                    break;
            }
        }

        return problems;
    }

    private static IEnumerable<string> CronProblems(string? expression)
    {
        if (expression is null)
        {
            return ["timer has no cronExpression"];
        }

        var text = expression;
        if (text.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            try
            {
                TimeZoneInfo.FindSystemTimeZoneById(text[8..space]);
            }
            catch (TimeZoneNotFoundException)
            {
                return [$"unknown time zone in '{expression}'"];
            }

            text = text[(space + 1)..];
        }

        if (text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
        {
            return [$"'{expression}' must have 6 fields (with seconds)"];
        }

        try
        {
            CronExpression.Parse(text, CronFormat.IncludeSeconds);
            return [];
        }
        catch (CronFormatException e)
        {
            return [$"'{expression}': {e.Message}"];
        }
    }
}
