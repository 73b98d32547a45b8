using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using AckFc.Core.Rules;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AckFc.Core.Policy;

/// <summary>
/// Reads a policy file strictly: an unknown key, a wrong type, an invalid glob, an unknown rule id or a waiver without
/// its reason, owner or expiry is an error with file, line and column, so a typo can never quietly weaken a policy.
/// </summary>
internal static class PolicyLoader
{
    public const string BundledResourceName = "AckFc.Core.Policy.default-policy.yaml";
    public const string BundledSource = "bundled default-policy.yaml";

    /// <summary>The policy shipped with the function: safe for a first run.</summary>
    public static LoadedPolicy LoadBundled()
    {
        using var stream = typeof(PolicyLoader).Assembly.GetManifestResourceStream(BundledResourceName)
            ?? throw new InvalidOperationException($"The bundled policy resource {BundledResourceName} is missing from the build.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.ToArray(), BundledSource);
    }

    /// <summary>Reads and parses a policy file.</summary>
    public static LoadedPolicy LoadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException(path, 0, 0, $"cannot read the policy file: {e.Message}");
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses policy YAML; <paramref name="source"/> names it in errors.</summary>
    public static LoadedPolicy Parse(byte[] yaml, string source)
    {
        var version = Convert.ToHexStringLower(SHA256.HashData(yaml));
        var stream = new YamlStream();
        using var reader = new StringReader(Encoding.UTF8.GetString(yaml));
        var parser = new Parser(reader);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw new PolicyException(source, e.Start.Line, e.Start.Column, $"not valid YAML: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // The YAML library reports some malformed input this way instead of with a YamlException (an
            // unexpected ':' in a block, for one); the parser's current event still says where it stopped.
            var at = parser.Current?.Start;
            throw new PolicyException(source, at?.Line ?? 1, at?.Column ?? 1, $"not valid YAML near here: {e.Message}");
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new PolicyException(source, 1, 1, "a policy is one YAML document whose top level is a mapping");
        }

        return new LoadedPolicy(new Reader(source).Policy(root), version, source);
    }

    private sealed class Reader(string source)
    {
        public AckFcPolicy Policy(YamlMappingNode root)
        {
            var map = Map(root, "policy", "version", "encryption", "keys", "remediation", "enforcement", "waivers", "guard");
            var version = Int(Required(root, map, "version"), "version");
            if (version != 1)
            {
                throw Error(map["version"], "version must be 1");
            }

            var policy = new AckFcPolicy();
            if (map.TryGetValue("encryption", out var encryption))
            {
                var e = Map(encryption, "encryption", "required", "neverDisable");
                policy = policy with
                {
                    EncryptionRequired = e.TryGetValue("required", out var r) ? Selector(r, "encryption.required") : policy.EncryptionRequired,
                    NeverDisable = e.TryGetValue("neverDisable", out var n) ? Selector(n, "encryption.neverDisable") : policy.NeverDisable,
                };
            }

            if (map.TryGetValue("keys", out var keys))
            {
                policy = policy with { Keys = KeyPolicy(keys) };
            }

            if (map.TryGetValue("remediation", out var remediation))
            {
                policy = policy with { Remediation = Remediation(remediation) };
            }

            if (map.TryGetValue("enforcement", out var enforcement))
            {
                var e = Map(enforcement, "enforcement", "default", "rules");
                var rules = new Dictionary<string, Enforcement>(StringComparer.Ordinal);
                if (e.TryGetValue("rules", out var ruleNode))
                {
                    foreach (var (key, value) in Pairs(ruleNode, "enforcement.rules"))
                    {
                        rules[RuleId(key)] = EnforcementValue(value, $"enforcement.rules.{Scalar(key, "rule id")}");
                    }
                }

                policy = policy with
                {
                    DefaultEnforcement = e.TryGetValue("default", out var d) ? EnforcementValue(d, "enforcement.default") : Enforcement.Enforce,
                    RuleEnforcement = rules,
                };
            }

            if (map.TryGetValue("guard", out var guard))
            {
                policy = policy with { Guard = Guard(guard) };
            }

            if (map.TryGetValue("waivers", out var waivers))
            {
                policy = policy with { Waivers = [.. Sequence(waivers, "waivers").Select(Waiver)] };
            }

            return policy;
        }

        private KeyPolicy KeyPolicy(YamlNode node)
        {
            var m = Map(node, "keys", "allowed", "allowedByRegion", "requireDeletionProtection", "requireRotation", "requireHsm",
                "deletionWarningDays", "materialExpiryWarningDays");
            var byRegion = new Dictionary<string, IReadOnlyList<Glob>>(StringComparer.Ordinal);
            if (m.TryGetValue("allowedByRegion", out var regions))
            {
                foreach (var (key, value) in Pairs(regions, "keys.allowedByRegion"))
                {
                    byRegion[Region(key, "keys.allowedByRegion")] = Globs(value, $"keys.allowedByRegion.{Scalar(key, "region")}");
                }
            }

            var defaults = new KeyPolicy();
            return new KeyPolicy
            {
                Allowed = m.TryGetValue("allowed", out var allowed) ? Globs(allowed, "keys.allowed") : [],
                AllowedByRegion = byRegion,
                RequireDeletionProtection = m.TryGetValue("requireDeletionProtection", out var dp) ? Bool(dp, "keys.requireDeletionProtection") : defaults.RequireDeletionProtection,
                RequireRotation = m.TryGetValue("requireRotation", out var rot) ? Bool(rot, "keys.requireRotation") : defaults.RequireRotation,
                RequireHsm = m.TryGetValue("requireHsm", out var hsm) && Bool(hsm, "keys.requireHsm"),
                DeletionWarningDays = m.TryGetValue("deletionWarningDays", out var dw) ? Int(dw, "keys.deletionWarningDays", 0, 366) : defaults.DeletionWarningDays,
                MaterialExpiryWarningDays = m.TryGetValue("materialExpiryWarningDays", out var mw) ? Int(mw, "keys.materialExpiryWarningDays", 0, 3650) : defaults.MaterialExpiryWarningDays,
            };
        }

        private RemediationPolicy Remediation(YamlNode node)
        {
            var m = Map(node, "remediation", "enableEncryption", "cancelKeyDeletion", "enableDeletionProtection", "enableKey", "maxChangesPerSweep");
            var result = new RemediationPolicy();
            if (m.TryGetValue("enableEncryption", out var enable))
            {
                var e = Map(enable, "remediation.enableEncryption", "enabled", "defaultKeys");
                var keys = new Dictionary<string, string>(StringComparer.Ordinal);
                if (e.TryGetValue("defaultKeys", out var defaultKeys))
                {
                    foreach (var (key, value) in Pairs(defaultKeys, "remediation.enableEncryption.defaultKeys"))
                    {
                        keys[Region(key, "remediation.enableEncryption.defaultKeys")] = Scalar(value, "remediation.enableEncryption.defaultKeys value");
                    }
                }

                result = result with
                {
                    EnableEncryption = e.TryGetValue("enabled", out var on) && Bool(on, "remediation.enableEncryption.enabled"),
                    DefaultKeys = keys,
                };
                if (result.EnableEncryption && keys.Count == 0)
                {
                    throw Error(enable, "remediation.enableEncryption.enabled needs defaultKeys: the key to use in each region");
                }
            }

            return result with
            {
                CancelKeyDeletion = m.TryGetValue("cancelKeyDeletion", out var c) && Bool(c, "remediation.cancelKeyDeletion"),
                EnableDeletionProtection = m.TryGetValue("enableDeletionProtection", out var d) && Bool(d, "remediation.enableDeletionProtection"),
                EnableKey = m.TryGetValue("enableKey", out var k) && Bool(k, "remediation.enableKey"),
                MaxChangesPerSweep = m.TryGetValue("maxChangesPerSweep", out var max) ? Int(max, "remediation.maxChangesPerSweep", 0, 1000) : 5,
            };
        }

        private GuardPolicy Guard(YamlNode node)
        {
            var m = Map(node, "guard", "reactions", "actions", "enforcement", "maxActionsPerHour");
            var result = new GuardPolicy();
            if (m.TryGetValue("reactions", out var reactionsNode))
            {
                var reactions = result.Reactions.ToHashSet();
                foreach (var (on, reaction) in Flags(reactionsNode, "guard.reactions", GuardPolicy.ReactionNames))
                {
                    if (on) reactions.Add(reaction); else reactions.Remove(reaction);
                }

                result = result with { Reactions = reactions };
            }

            if (m.TryGetValue("actions", out var actionsNode))
            {
                var actions = new HashSet<GuardAction>();
                foreach (var (on, action) in Flags(actionsNode, "guard.actions", GuardPolicy.ActionNames))
                {
                    if (on) actions.Add(action);
                }

                result = result with { Actions = actions };
            }

            if (m.TryGetValue("enforcement", out var enforcement))
            {
                var e = Map(enforcement, "guard.enforcement", "default", "rules");
                var rules = new Dictionary<string, Enforcement>(StringComparer.Ordinal);
                if (e.TryGetValue("rules", out var ruleNode))
                {
                    foreach (var (key, value) in Pairs(ruleNode, "guard.enforcement.rules"))
                    {
                        rules[RuleId(key)] = EnforcementValue(value, $"guard.enforcement.rules.{Scalar(key, "rule id")}");
                    }
                }

                result = result with
                {
                    DefaultEnforcement = e.TryGetValue("default", out var d) ? EnforcementValue(d, "guard.enforcement.default") : Enforcement.Enforce,
                    RuleEnforcement = rules,
                };
            }

            return result with
            {
                MaxActionsPerHour = m.TryGetValue("maxActionsPerHour", out var max) ? Int(max, "guard.maxActionsPerHour", 0, 1000) : result.MaxActionsPerHour,
            };
        }

        /// <summary>A mapping of known names to booleans; an unknown name is an error listing the known ones.</summary>
        private IEnumerable<(bool On, T Value)> Flags<T>(YamlNode node, string name, IReadOnlyDictionary<string, T> known)
        {
            var m = Map(node, name, [.. known.Keys]);
            return [.. m.Select(p => (Bool(p.Value, $"{name}.{p.Key}"), known[p.Key]))];
        }

        private Waiver Waiver(YamlNode node, int index)
        {
            var name = $"waivers[{index}]";
            var m = Map(node, name, "rule", "selector", "reason", "owner", "expires");
            var rule = RuleId(Required(node, m, "rule", name));
            var reason = Scalar(Required(node, m, "reason", name), $"{name}.reason");
            var owner = Scalar(Required(node, m, "owner", name), $"{name}.owner");
            var expiresNode = Required(node, m, "expires", name);
            var expiresText = Scalar(expiresNode, $"{name}.expires");
            if (!DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expires))
            {
                throw Error(expiresNode, $"{name}.expires must be a date (2026-12-31) or an ISO 8601 time, not '{expiresText}'");
            }

            if (string.IsNullOrWhiteSpace(reason) || string.IsNullOrWhiteSpace(owner))
            {
                throw Error(node, $"{name} needs a non-empty reason and owner");
            }

            var selector = m.TryGetValue("selector", out var s) ? Selector(s, $"{name}.selector") : ClusterSelector.All;
            return new Waiver(rule, selector, reason, owner, expires);
        }

        private ClusterSelector Selector(YamlNode node, string name)
        {
            var m = Map(node, name, "all", "none", "clusterIds", "names", "regions", "tags", "clusterSpecs", "profiles");
            if (m.TryGetValue("none", out var none) && Bool(none, $"{name}.none"))
            {
                return ClusterSelector.None;
            }

            var tags = new Dictionary<string, Glob>(StringComparer.Ordinal);
            if (m.TryGetValue("tags", out var tagNode))
            {
                foreach (var (key, value) in Pairs(tagNode, $"{name}.tags"))
                {
                    tags[Scalar(key, "tag key")] = GlobOf(value, $"{name}.tags.{Scalar(key, "tag key")}");
                }
            }

            if (m.TryGetValue("all", out var all) && !Bool(all, $"{name}.all"))
            {
                throw Error(all, $"{name}.all can only be true; use 'none: true' to select no cluster");
            }

            return new ClusterSelector
            {
                ClusterIds = m.TryGetValue("clusterIds", out var ids) ? Globs(ids, $"{name}.clusterIds") : [],
                Names = m.TryGetValue("names", out var names) ? Globs(names, $"{name}.names") : [],
                Regions = m.TryGetValue("regions", out var regions) ? [.. Sequence(regions, $"{name}.regions").Select((n, _) => Region(n, $"{name}.regions"))] : [],
                Tags = tags,
                ClusterSpecs = m.TryGetValue("clusterSpecs", out var specs) ? Globs(specs, $"{name}.clusterSpecs") : [],
                Profiles = m.TryGetValue("profiles", out var profiles) ? [.. Sequence(profiles, $"{name}.profiles").Select((n, _) => Scalar(n, $"{name}.profiles"))] : [],
            };
        }

        private Enforcement EnforcementValue(YamlNode node, string name) => Scalar(node, name) switch
        {
            "enforce" => Enforcement.Enforce,
            "dryrun" => Enforcement.DryRun,
            "warn" => Enforcement.Warn,
            var other => throw Error(node, $"{name} must be enforce, dryrun or warn, not '{other}'"),
        };

        private string RuleId(YamlNode node)
        {
            var id = Scalar(node, "rule id");
            return RuleCatalog.IsKnown(id)
                ? id
                : throw Error(node, $"'{id}' is not a rule id; known ids: {string.Join(", ", RuleCatalog.All.Select(r => r.Id))}");
        }

        private string Region(YamlNode node, string name)
        {
            var region = Scalar(node, name);
            return AlibabaCloud.AlibabaCloudRegion.IsValid(region) ? region : throw Error(node, $"{name}: '{region}' is not a region id such as cn-hangzhou");
        }

        private IReadOnlyList<Glob> Globs(YamlNode node, string name) => [.. Sequence(node, name).Select((n, _) => GlobOf(n, name))];

        private Glob GlobOf(YamlNode node, string name) =>
            Glob.TryParse(Scalar(node, name), out var error) ?? throw Error(node, $"{name}: {error}");

        private Dictionary<string, YamlNode> Map(YamlNode node, string name, params string[] allowed)
        {
            if (node is not YamlMappingNode mapping)
            {
                throw Error(node, $"{name} must be a mapping");
            }

            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = Scalar(keyNode, $"a key of {name}");
                if (!allowed.Contains(key, StringComparer.Ordinal))
                {
                    throw Error(keyNode, $"unknown key '{key}' in {name}; allowed: {string.Join(", ", allowed)}");
                }

                result[key] = value;
            }

            return result;
        }

        private IEnumerable<(YamlNode Key, YamlNode Value)> Pairs(YamlNode node, string name) =>
            node is YamlMappingNode mapping
                ? mapping.Children.Select(c => (c.Key, c.Value))
                : throw Error(node, $"{name} must be a mapping");

        private IEnumerable<YamlNode> Sequence(YamlNode node, string name) =>
            node is YamlSequenceNode sequence ? sequence.Children : throw Error(node, $"{name} must be a list");

        private YamlNode Required(YamlNode parent, Dictionary<string, YamlNode> map, string key, string? name = null) =>
            map.TryGetValue(key, out var value) ? value : throw Error(parent, $"{(name is null ? string.Empty : name + ".")}{key} is required");

        private string Scalar(YamlNode node, string name) =>
            node is YamlScalarNode { Value: { } value } ? value : throw Error(node, $"{name} must be a single value");

        private bool Bool(YamlNode node, string name) => Scalar(node, name) switch
        {
            "true" => true,
            "false" => false,
            var other => throw Error(node, $"{name} must be true or false, not '{other}'"),
        };

        private int Int(YamlNode node, string name, int min = int.MinValue, int max = int.MaxValue)
        {
            var text = Scalar(node, name);
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw Error(node, $"{name} must be a whole number{(min == int.MinValue ? string.Empty : $" from {min} to {max}")}, not '{text}'");
        }

        private PolicyException Error(YamlNode node, string problem) => new(source, node.Start.Line, node.Start.Column, problem);
    }
}
