using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AckFc.Functions.Tests.Deployment;

/// <summary>s.yaml as data: each resource's props as JSON, with Serverless Devs variables substituted.</summary>
internal sealed partial class SYamlDocument
{
    private SYamlDocument(JsonObject root) => Root = root;

    public JsonObject Root { get; }

    public static string RepoRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AckFc.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("AckFc.sln not found above the test output folder.");
        }
    }

    public static SYamlDocument Load(string? text = null)
    {
        text ??= File.ReadAllText(Path.Combine(RepoRoot, "s.yaml"));
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (JsonObject)ToJson(stream.Documents[0].RootNode)!;
        var vars = root["vars"]?.AsObject();
        return new SYamlDocument((JsonObject)Substitute(root, vars)!);
    }

    public IEnumerable<(string Name, JsonObject Props)> Resources =>
        Root["resources"]!.AsObject().Select(r => (r.Key, r.Value!["props"]!.AsObject()));

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain } s when long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        YamlScalarNode { Style: ScalarStyle.Plain } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } s => JsonValue.Create(s.Value == "true"),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => null,
    };

    private static JsonNode? Substitute(JsonNode? node, JsonObject? vars) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Substitute(p.Value, vars)))),
        JsonArray a => new JsonArray([.. a.Select(n => Substitute(n, vars))]),
        JsonValue v when v.TryGetValue<string>(out var s) => SubstituteText(s, vars),
        _ => node?.DeepClone(),
    };

    private static JsonNode? SubstituteText(string text, JsonObject? vars)
    {
        var whole = VarsPattern().Match(text);
        if (whole.Success && whole.Length == text.Length && vars?[whole.Groups[1].Value] is { } value)
        {
            return Substitute(value, vars);
        }

        var replaced = VarsPattern().Replace(text, m => vars?[m.Groups[1].Value]?.ToString() ?? m.Value);
        replaced = FunctionPattern().Replace(replaced, m => m.Groups[1].Value == "config" ? "1234567890123456" : "placeholder-" + m.Groups[2].Value);
        return JsonValue.Create(replaced);
    }

    [GeneratedRegex(@"\$\{vars\.([A-Za-z0-9_]+)\}")]
    private static partial Regex VarsPattern();

    [GeneratedRegex(@"\$\{(env|config)\('([^']+)'\)\}")]
    private static partial Regex FunctionPattern();
}
