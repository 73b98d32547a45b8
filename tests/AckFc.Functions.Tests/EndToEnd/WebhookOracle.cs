using System.Text.Json;
using System.Text.RegularExpressions;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// What the webhook must answer a request that carries no valid signature, from contracts §4 alone: a path that is
/// no route is 404, a route asked with a method it does not take is 405, and every route asked right is 401 —
/// unsigned, garbage or forged alike. Nothing here calls the server's code.
/// </summary>
internal static class WebhookRouteOracle
{
    /// <summary>Every route of the webhook that needs a signature, with the methods it takes (contracts §4).</summary>
    public static readonly (string Method, string Path)[] SignedRoutes =
    [
        ("PUT", "/clusters/c-demo-hz-analytics/kms"),
        ("GET", "/clusters/c-demo-hz-analytics/kms"),
        ("GET", "/clusters/c-demo-hz-orders/kms?view=full"),
        ("POST", "/sweeps"),
    ];

    /// <summary>The status for a request without a valid signature, <paramref name="path"/> as it went on the wire.</summary>
    public static int ExpectedWithoutValidSignature(string method, string path)
    {
        // A NUL in the request target is malformed HTTP: the HTTP server refuses it before any route is chosen.
        if (path.Contains("%00", StringComparison.Ordinal))
        {
            return 400;
        }

        var segments = path.Split('?')[0].Trim('/').Split('/');
        string[] methods = segments switch
        {
            ["clusters", _, "kms"] => ["GET", "PUT"],
            ["sweeps"] => ["POST"],
            _ => [],
        };

        return methods.Length == 0 ? 404 : methods.Contains(method, StringComparer.Ordinal) ? 401 : 405;
    }
}

/// <summary>
/// An independent model of the demo policy (functions/AckFc.Local/Runner/demo-policy.yaml, read as docs/policy.md
/// describes it) over the demo fleet (as its table in docs describes it), for signed <c>PUT /clusters/{id}/kms</c>
/// requests sent one at a time. It decides each request's answer before it is sent and remembers what an applied
/// change did (the cluster's new key, ACK's cool-down), so a forbidden change wrongly allowed, an allowed one wrongly
/// refused, or a call to ACK the answer does not own up to all show.
/// </summary>
internal sealed partial class DemoPolicyOracle
{
    private const string Hz = "cn-hangzhou", Sh = "cn-shanghai";

    private sealed record KeyFacts(string Id, string Region, bool Enabled, bool AesEncryptDecrypt, bool Service, string Alias, bool DeletionProtection);

    private sealed class ClusterFacts(string region, bool pro, bool running, bool neverDisable, string? key)
    {
        public string Region { get; } = region;
        public bool Pro { get; } = pro;
        public bool Running { get; } = running;
        public bool NeverDisable { get; } = neverDisable;
        public string? Key { get; set; } = key;
        public bool CoolingDown { get; set; }
    }

    private static readonly KeyFacts[] Keys =
    [
        new("key-demo-hz-prod", Hz, true, true, false, "alias/ackfc-prod-hz", true),
        new("key-demo-hz-orders", Hz, true, true, false, "alias/ackfc-orders-hz", true),
        new("key-demo-hz-spare", Hz, true, true, false, "alias/ackfc-spare-hz", true),
        new("key-demo-hz-batch", Hz, false, true, false, "alias/ackfc-batch-hz", true),
        new("key-demo-hz-reporting", Hz, false, true, false, "alias/ackfc-reporting-hz", false),
        new("key-demo-sh-web", Sh, true, true, false, "alias/ackfc-web-sh", true),
        new("key-demo-sh-spare", Sh, true, true, false, "alias/ackfc-spare-sh", true),
        new("key-demo-sh-legacy", Sh, true, true, false, "alias/legacy-app", true),
        new("key-demo-sh-sm4", Sh, true, false, false, "alias/ackfc-sm4-sh", true),
        new("key-demo-sh-acs-ecs", Sh, true, true, true, "alias/acs/ecs", true),
    ];

    // Demo-policy facts: an allow-list of alias/ackfc-*, env=prod never disabled, encryption required on ack.pro.*
    // (no ACKFC-ENC-001 waiver), deletion protection required,
    // rotation only warned about (so never blocking), ACK's 5-minute cool-down after a change.
    private readonly Dictionary<string, ClusterFacts> clusters = new(StringComparer.Ordinal)
    {
        ["c-demo-hz-payments"] = new(Hz, pro: true, running: true, neverDisable: true, "key-demo-hz-prod"),
        ["c-demo-hz-orders"] = new(Hz, pro: true, running: true, neverDisable: false, "key-demo-hz-orders"),
        ["c-demo-sh-web"] = new(Sh, pro: true, running: true, neverDisable: false, "key-demo-sh-web"),
        // Its key is disabled, so ACK reports the cluster unavailable: no change is accepted until the key is back.
        ["c-demo-hz-batch"] = new(Hz, pro: true, running: false, neverDisable: false, "key-demo-hz-batch"),
        ["c-demo-hz-basic"] = new(Hz, pro: false, running: true, neverDisable: false, null),
    };

    private readonly HashSet<string> signatures = new(StringComparer.Ordinal);

    /// <summary>The keys and aliases a generator may ask for: allowed ones, forbidden ones and ones that do not exist.</summary>
    public static readonly string[] KeyChoices =
    [
        "key-demo-hz-orders", "key-demo-hz-spare", "key-demo-hz-prod", "key-demo-hz-batch", "key-demo-hz-reporting",
        "key-demo-sh-web", "key-demo-sh-spare", "alias/ackfc-spare-sh", "key-demo-sh-legacy", "key-demo-sh-sm4",
        "key-demo-sh-acs-ecs", "alias/acs/ecs", "nope", "key-demo-hz-deleted",
    ];

    /// <summary>What the answer must be: the status, the outcome of a 2xx, and whether it calls UpdateKMSEncryption.</summary>
    public readonly record struct Expectation(int Status, string? Outcome, bool ReachesAck, string Why);

    /// <summary>Decides the answer to a PUT of <paramref name="body"/> to <paramref name="clusterId"/> with a valid <paramref name="signature"/>.</summary>
    public Expectation Decide(string clusterId, byte[] body, string signature)
    {
        // A valid signature is good once inside its window; the same header again is a replay.
        if (!signatures.Add(signature))
        {
            return new(401, null, false, "a replay of a signature already used");
        }

        if (Parse(body) is not { } change)
        {
            return new(400, null, false, "the body is not a valid change");
        }

        if (!clusters.TryGetValue(clusterId, out var cluster))
        {
            return new(404, null, false, "no such cluster");
        }

        if (!cluster.Pro)
        {
            return new(400, null, false, "not an ACK Pro cluster");
        }

        if (!cluster.Running)
        {
            return new(409, null, false, "the cluster is not running");
        }

        string? target = null;
        if (change.Disable)
        {
            if (cluster.NeverDisable)
            {
                return new(403, null, false, "ACKFC-POL-001: never disable this cluster");
            }

            // encryption.required covers every ack.pro.* cluster and no ACKFC-ENC-001 waiver exists: turning
            // encryption off would create a failing finding, so the policy denies it (even when it is off already).
            return new(403, null, false, "ACKFC-ENC-001: the policy requires encryption here");
        }
        else
        {
            var key = Keys.FirstOrDefault(k => k.Id == change.Key || k.Alias == change.Key);
            if (key is null || key.Region != cluster.Region)
            {
                return new(403, null, false, $"{change.Key} does not exist in {cluster.Region} (or is in another region)");
            }

            var allowListed = AllowList().IsMatch(key.Alias);
            if (!key.Enabled || !key.AesEncryptDecrypt || key.Service || !allowListed || !key.DeletionProtection)
            {
                return new(403, null, false, $"{key.Id} breaks a key rule");
            }

            if (cluster.Key == key.Id)
            {
                return new(200, "noChange", false, "already encrypted with it");
            }

            target = key.Id;
        }

        if (change.DryRun)
        {
            return new(200, "dryRun", false, "allowed, dry run");
        }

        if (cluster.CoolingDown)
        {
            return new(409, null, false, "ACK's cool-down after the last change");
        }

        cluster.Key = target;
        cluster.CoolingDown = true;
        return new(200, "applied", true, change.Disable ? "allowed disable" : $"allowed switch to {target}");
    }

    /// <summary>The key each modelled cluster should have now (null: encryption off).</summary>
    public IEnumerable<(string ClusterId, string? Key)> Clusters => clusters.Select(c => (c.Key, c.Value.Key));

    private readonly record struct Change(string? Key, bool Disable, bool DryRun);

    /// <summary>The body rules of contracts §4 (ACK's body plus dry_run and reason; unknown fields refused).</summary>
    private static Change? Parse(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? key = null;
            bool disable = false, dryRun = false;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    return null;
                }

                var value = property.Value;
                switch (property.Name)
                {
                    case "kms_key_id" when value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                        key = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                        break;
                    case "disable_encryption" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                        disable = value.GetBoolean();
                        break;
                    case "dry_run" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                        dryRun = value.GetBoolean();
                        break;
                    case "reason" when value.ValueKind is JsonValueKind.Null || (value.ValueKind == JsonValueKind.String && value.GetString()!.Length <= 1024):
                        break;
                    default:
                        return null;
                }
            }

            if (!disable && string.IsNullOrWhiteSpace(key))
            {
                return null;
            }

            if (key is { Length: > 256 } || key?.Any(char.IsControl) == true)
            {
                return null;
            }

            return new Change(disable ? null : key, disable, dryRun);
        }
    }

    [GeneratedRegex("^alias/ackfc-.*$", RegexOptions.CultureInvariant)]
    private static partial Regex AllowList();
}
