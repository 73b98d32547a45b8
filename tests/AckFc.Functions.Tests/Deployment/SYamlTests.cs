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
    [InlineData("triggerType: eventbridge", "triggerType: eventbus", true)]
    [InlineData("eventSourceType: Default", "eventSourceType: default", false)]
    [InlineData("asyncInvocationType: false", "asyncInvocationType: 'false'", false)]
    [InlineData("triggerEnable: true", "triggerEnable: 'yes'", false)]
    [InlineData("triggerName: kms-audit", "triggerName: kms|audit", false)]
    [InlineData("'{\"type\":[\"kms:ActionTrail:ApiCall\",", "'{\"type\":[\"kms:ActionTrail:ApiCall\",,", false)]
    [InlineData("eventRuleFilterPattern: '", "eventRuleFilterPattern: '\"kms\"'  # '", false)]
    [InlineData("ACKFC_FUNCTION: guard", "ACKFC_FUNCTION: guards", false)]
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

        // The guard is one of them: a third function, with its EventBridge trigger.
        Assert.Contains(app.Functions, f => f.Name == "guard" && f.Trigger == TriggerKind.EventBridge);
        var problems = DriftProblems(SYamlDocument.Load(), app.Functions);
        Assert.True(problems.Count == 0, string.Join("; ", problems));
    }

    [Theory]
    [InlineData("\"UpdateKMSEncryption\",\"EnableKey\",\"CancelKeyDeletion\"", "\"UpdateKMSEncryption\",\"CancelKeyDeletion\"", "pattern")]
    [InlineData("\"cs:ActionTrail:ConsoleOperation\"", "\"cs:ActionTrail:AliyunServiceEvent\"", "pattern")]
    [InlineData("        - triggerName: kms-audit\n          triggerType: eventbridge", "        - triggerName: kms-audit\n          triggerType: timer", "trigger type")]
    [InlineData("functionName: ackfc-guard", "functionName: guard", "functionName")]
    [InlineData("ACKFC_FUNCTION: guard", "ACKFC_FUNCTION: compliance", "ACKFC_FUNCTION")]
    public async Task MutatedDocument_DriftIsCaught(string original, string mutated, string named)
    {
        await using var app = FunctionsHost.Build(["ACKFC_REGIONS=cn-hangzhou"], b => b.Urls = "http://127.0.0.1:0");
        var text = File.ReadAllText(Path.Combine(SYamlDocument.RepoRoot, "s.yaml"));
        Assert.Contains(original, text, StringComparison.Ordinal);

        var problems = DriftProblems(SYamlDocument.Load(text.Replace(original, mutated, StringComparison.Ordinal)), app.Functions);

        Assert.Contains(problems, p => p.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void EventBridgeTrigger_BeforeAnotherTrigger_IsCaught()
    {
        // fc3 stops at an unchanged EventBridge trigger: whatever follows it on the same function is never deployed.
        var guard = SYamlDocument.Load().Resources.Single(r => r.Name == "guard").Props.DeepClone().AsObject();
        guard["triggers"]!.AsArray().Add(JsonNode.Parse("""{"triggerName":"daily","triggerType":"timer","triggerConfig":{"cronExpression":"0 0 3 * * *","enable":true,"payload":"{\"mode\":\"report\"}"}}"""));

        Assert.Contains(StrictProblems(guard), p => p.Contains("last", StringComparison.Ordinal));
    }

    /// <summary>What s.yaml deploys against what the code declares: the same functions, names, triggers, cron and pattern.</summary>
    internal static List<string> DriftProblems(SYamlDocument document, IReadOnlyList<FunctionMetadata> functions)
    {
        var problems = new List<string>();
        var declared = functions.ToDictionary(f => f.Name);
        var deployed = document.Resources.ToList();
        var names = string.Join(",", deployed.Select(r => r.Name).Order(StringComparer.Ordinal));
        if (names != string.Join(",", declared.Keys.Order(StringComparer.Ordinal)))
        {
            problems.Add($"s.yaml deploys {names}; the code declares {string.Join(",", declared.Keys.Order(StringComparer.Ordinal))}");
        }

        foreach (var (name, props) in deployed.Where(r => declared.ContainsKey(r.Name)))
        {
            var function = declared[name];
            // contracts §8: the deployed name is prefixed (a bare `webhook` would overwrite any function of that name).
            if (props["functionName"]?.GetValue<string>() != "ackfc-" + name)
            {
                problems.Add($"{name}: functionName is '{props["functionName"]}', not 'ackfc-{name}'");
            }

            if (props["environmentVariables"]?["ACKFC_FUNCTION"]?.GetValue<string>() != name)
            {
                problems.Add($"{name}: ACKFC_FUNCTION is '{props["environmentVariables"]?["ACKFC_FUNCTION"]}'");
            }

            var triggers = props["triggers"]?.AsArray() ?? [];
            if (triggers.Count != 1)
            {
                problems.Add($"{name}: {triggers.Count} triggers, not one");
                continue;
            }

            var trigger = triggers[0]!;
            var type = trigger["triggerType"]?.GetValue<string>();
            var config = trigger["triggerConfig"];
            var expected = function.Trigger switch
            {
                TriggerKind.Http => "http",
                TriggerKind.Timer => "timer",
                _ => "eventbridge",
            };
            if (type != expected)
            {
                problems.Add($"{name}: trigger type is '{type}', the code declares {expected}");
                continue;
            }

            switch (function.Trigger)
            {
                case TriggerKind.Http:
                    List<string> methods = [.. (config?["methods"]?.AsArray() ?? []).Select(m => m!.GetValue<string>()).Order(StringComparer.Ordinal)];
                    if (!methods.SequenceEqual(function.Methods.Order(StringComparer.Ordinal)))
                    {
                        problems.Add($"{name}: methods {string.Join(",", methods)}, the code declares {string.Join(",", function.Methods)}");
                    }

                    break;
                case TriggerKind.Timer:
                    if (config?["cronExpression"]?.GetValue<string>() != function.Schedule)
                    {
                        problems.Add($"{name}: cronExpression '{config?["cronExpression"]}', the code declares '{function.Schedule}'");
                    }

                    break;
                default:
                    // Compared as JSON: s.yaml carries the pattern as a string, spacing and key order aside.
                    var text = config?["eventRuleFilterPattern"]?.GetValue<string>();
                    JsonNode? pattern = null;
                    try
                    {
                        pattern = text is null ? null : JsonNode.Parse(text);
                    }
                    catch (JsonException)
                    {
                    }

                    if (!JsonNode.DeepEquals(pattern, JsonNode.Parse(function.FilterPattern!)))
                    {
                        problems.Add($"{name}: eventRuleFilterPattern {text} is not the pattern the code declares, {function.FilterPattern}");
                    }

                    break;
            }
        }

        return problems;
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
        if (function is not ("webhook" or "compliance" or "guard" or "all"))
        {
            problems.Add($"ACKFC_FUNCTION is '{function}'");
        }

        var all = props["triggers"]?.AsArray().Select(t => t!.AsObject()).ToList() ?? [];
        foreach (var trigger in all)
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
                case "eventbridge":
                    problems.AddRange(EventBridgeProblems(trigger, config, trigger == all[^1]));
                    break;
                default:
                    problems.Add($"trigger type {trigger["triggerType"]} is not used by AckFc");
                    break;
            }
        }

        return problems;
    }

    /// <summary>
    /// The schema cannot check these (its trigger configs are an anyOf that includes a bare object), so they are checked
    /// here: the shape fc3 deploys for a cloud-service trigger, a pattern that is a JSON object, and fc3's quirks.
    /// </summary>
    private static List<string> EventBridgeProblems(JsonObject trigger, JsonObject? config, bool isLast)
    {
        var problems = new List<string>();
        foreach (var key in config?.Select(p => p.Key) ?? [])
        {
            if (key is not ("triggerEnable" or "asyncInvocationType" or "eventRuleFilterPattern" or "eventSourceConfig" or "eventSinkConfig" or "runOptions"))
            {
                problems.Add($"unknown key eventbridge triggerConfig.{key}");
            }
        }

        // fc3 skips the triggers after an unchanged EventBridge one, and lists no EventBridge trigger whose name has '|'.
        if (!isLast)
        {
            problems.Add("an eventbridge trigger must be the last trigger of its function (fc3 skips the ones after it)");
        }

        if (trigger["triggerName"]?.GetValue<string>() is not { Length: > 0 } name || name.Contains('|', StringComparison.Ordinal))
        {
            problems.Add("an eventbridge trigger needs a name without '|'");
        }

        foreach (var flag in new[] { "triggerEnable", "asyncInvocationType" })
        {
            // asyncInvocationType is stated explicitly: its meaning is disputed, so nobody should rely on a default.
            if (config?[flag] is not JsonValue value || value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                problems.Add($"eventbridge {flag} must be true or false");
            }
        }

        var source = config?["eventSourceConfig"]?.AsObject();
        foreach (var key in source?.Select(p => p.Key) ?? [])
        {
            if (key is not ("eventSourceType" or "eventSourceParameters"))
            {
                problems.Add($"unknown key eventSourceConfig.{key}");
            }
        }

        if (source?["eventSourceType"]?.GetValue<string>() != "Default")
        {
            problems.Add("eventbridge eventSourceType must be Default (cloud-service events on the default bus)");
        }

        var pattern = config?["eventRuleFilterPattern"] as JsonValue;
        if (pattern is null || pattern.GetValueKind() != JsonValueKind.String)
        {
            problems.Add("eventRuleFilterPattern must be a string holding JSON (fc3 passes it on as text)");
        }
        else
        {
            try
            {
                if (JsonNode.Parse(pattern.GetValue<string>()) is not JsonObject)
                {
                    problems.Add("eventRuleFilterPattern must be a JSON object");
                }
            }
            catch (JsonException e)
            {
                problems.Add($"eventRuleFilterPattern is not JSON: {e.Message}");
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
