using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AckFc.Local.Emulator;

/// <summary>A fleet file or definition that cannot be served; the message names every problem found.</summary>
public sealed class FleetFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FleetFileException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FleetFileException() : this("The fleet is not valid.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public FleetFileException(string message) : this(message, null)
    {
    }
}

/// <summary>Reads and validates fleet files.</summary>
public static partial class FleetLoader
{
    internal static readonly string[] ClusterStates =
    [
        "initial", "failed", "running", "updating", "upgrading", "removing", "draining", "scaling", "inactive",
        "unavailable", "deleting", "deleted", "delete_failed", "waiting", "disconnected",
    ];

    internal static readonly string[] KeyStates = ["Enabled", "Disabled", "PendingDeletion", "PendingImport"];
    internal static readonly string[] KeySpecs = ["Aliyun_AES_256", "Aliyun_AES_128", "Aliyun_AES_192", "Aliyun_SM4", "RSA_2048", "RSA_3072", "EC_P256", "EC_P256K", "EC_SM2"];
    internal static readonly string[] KeyUsages = ["ENCRYPT/DECRYPT", "SIGN/VERIFY"];
    internal static readonly string[] Origins = ["Aliyun_KMS", "EXTERNAL"];
    internal static readonly string[] ProtectionLevels = ["SOFTWARE", "HSM"];
    internal static readonly string[] CreatorTypes = ["User", "Service"];
    internal static readonly string[] RotationStates = ["Enabled", "Disabled", "Suspended"];

    private static readonly DateTimeOffset DefaultCreated = new(2024, 3, 1, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Reads a fleet file: <c>.json</c> as JSON, anything else as YAML. Throws <see cref="FleetFileException"/>.</summary>
    public static FleetDefinition Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FleetFileException($"Fleet file '{path}' cannot be read: {ex.Message}", ex);
        }

        var json = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        return Parse(text, json, path);
    }

    /// <summary>Parses fleet text (JSON or YAML). <paramref name="source"/> names it in error messages.</summary>
    public static FleetDefinition Parse(string text, bool json, string source = "fleet")
    {
        FleetDefinition? fleet;
        if (json)
        {
            try
            {
                fleet = JsonSerializer.Deserialize<FleetDefinition>(text, JsonOptions);
            }
            catch (JsonException ex)
            {
                throw new FleetFileException(
                    $"Fleet file '{source}' is not valid JSON for a fleet (line {(ex.LineNumber ?? 0) + 1}, at {ex.Path ?? "$"}): {ex.Message}", ex);
            }
        }
        else
        {
            try
            {
                fleet = Yaml.Deserialize<FleetDefinition>(text);
            }
            catch (YamlException ex)
            {
                var reason = ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message;
                throw new FleetFileException(
                    $"Fleet file '{source}' is not valid YAML for a fleet (line {ex.Start.Line}, column {ex.Start.Column}): {reason}", ex);
            }
        }

        return fleet ?? throw new FleetFileException($"Fleet file '{source}' is empty: it needs at least 'regions'.");
    }

    /// <summary>Validates a fleet; throws <see cref="FleetFileException"/> listing every problem.</summary>
    public static void Validate(FleetDefinition fleet, TimeProvider? time = null) =>
        _ = Compile(fleet, (time ?? TimeProvider.System).GetUtcNow(), "fleet");

    internal static CompiledFleet Compile(FleetDefinition fleet, DateTimeOffset now, string source)
    {
        var problems = new List<string>();
        var regions = new List<string>();
        if (string.IsNullOrWhiteSpace(fleet.AccountId))
        {
            problems.Add("accountId must not be empty");
        }

        if (fleet.Regions is null || fleet.Regions.Count == 0)
        {
            problems.Add("regions must list at least one region (e.g. cn-hangzhou)");
        }
        else
        {
            foreach (var region in fleet.Regions)
            {
                if (string.IsNullOrWhiteSpace(region) || !RegionPattern().IsMatch(region))
                {
                    problems.Add($"regions: '{region}' is not a region id (lower case letters, digits and '-', e.g. cn-hangzhou)");
                }
                else if (regions.Contains(region))
                {
                    problems.Add($"regions: '{region}' is listed twice");
                }
                else
                {
                    regions.Add(region);
                }
            }
        }

        var keys = new List<EmulatedKey>();
        var keyIds = new HashSet<string>(StringComparer.Ordinal);
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (fleet.Keys?.Count ?? 0); i++)
        {
            var k = fleet.Keys![i];
            var where = $"keys[{i}] ({(string.IsNullOrEmpty(k?.KeyId) ? "no keyId" : k.KeyId)})";
            if (k is null)
            {
                problems.Add($"{where}: empty entry");
                continue;
            }

            if (string.IsNullOrWhiteSpace(k.KeyId))
            {
                problems.Add($"{where}: keyId must not be empty");
            }
            else if (!keyIds.Add(k.KeyId))
            {
                problems.Add($"{where}: keyId is used twice (key ids are unique across the fleet)");
            }

            CheckRegion(k.RegionId, where);
            CheckOneOf(k.KeyState, KeyStates, where, "keyState");
            CheckOneOf(k.KeySpec, KeySpecs, where, "keySpec");
            CheckOneOf(k.KeyUsage, KeyUsages, where, "keyUsage");
            CheckOneOf(k.Origin, Origins, where, "origin");
            CheckOneOf(k.ProtectionLevel, ProtectionLevels, where, "protectionLevel");
            CheckOneOf(k.CreatorType, CreatorTypes, where, "creatorType");
            CheckOneOf(k.AutomaticRotation, RotationStates, where, "automaticRotation");
            var created = Time(k.CreationDate, where, "creationDate") ?? DefaultCreated;
            var deleteDate = Time(k.DeleteDate, where, "deleteDate");
            var lastRotation = Time(k.LastRotationDate, where, "lastRotationDate");
            var nextRotation = Time(k.NextRotationDate, where, "nextRotationDate");
            var materialExpire = Time(k.MaterialExpireTime, where, "materialExpireTime");
            if (k.KeyState == "PendingDeletion" && deleteDate is null)
            {
                problems.Add($"{where}: a PendingDeletion key needs deleteDate (e.g. now+5d)");
            }

            if (k.KeyState == "PendingImport" && k.Origin != "EXTERNAL")
            {
                problems.Add($"{where}: only an EXTERNAL key can be PendingImport (set origin: EXTERNAL)");
            }

            if (materialExpire is not null && k.Origin != "EXTERNAL")
            {
                problems.Add($"{where}: materialExpireTime only applies to EXTERNAL keys");
            }

            foreach (var alias in k.Aliases ?? [])
            {
                if (string.IsNullOrEmpty(alias) || !alias.StartsWith("alias/", StringComparison.Ordinal) || alias.Length == 6)
                {
                    problems.Add($"{where}: alias '{alias}' must start with 'alias/' and name something");
                }
                else if (!aliases.Add(alias))
                {
                    problems.Add($"{where}: alias '{alias}' is used twice (aliases are unique across the fleet, so one URL can serve every region)");
                }
            }

            keys.Add(new EmulatedKey
            {
                KeyId = k.KeyId ?? "",
                RegionId = k.RegionId ?? "",
                AccountId = fleet.AccountId ?? "",
                KeyState = k.KeyState ?? "",
                KeySpec = k.KeySpec ?? "",
                KeyUsage = k.KeyUsage ?? "",
                Origin = k.Origin ?? "",
                ProtectionLevel = k.ProtectionLevel ?? "",
                CreatorType = k.CreatorType ?? "",
                Creator = !string.IsNullOrEmpty(k.Creator) ? k.Creator : k.CreatorType == "Service" ? ServiceOf(k.Aliases) : fleet.AccountId ?? "",
                Description = k.Description ?? "",
                CreationDate = created,
                DeleteDate = k.KeyState == "PendingDeletion" ? deleteDate : null,
                DeletionProtection = k.DeletionProtection,
                DeletionProtectionDescription = k.DeletionProtectionDescription,
                AutomaticRotation = k.AutomaticRotation ?? "",
                RotationInterval = k.RotationInterval,
                LastRotationDate = lastRotation,
                NextRotationDate = nextRotation,
                PrimaryKeyVersion = string.IsNullOrEmpty(k.PrimaryKeyVersion) ? VersionOf(k.KeyId ?? "") : k.PrimaryKeyVersion,
                MaterialExpireTime = materialExpire,
                DkmsInstanceId = k.DkmsInstanceId,
                Aliases = [.. k.Aliases ?? []],
                Tags = new(k.Tags ?? [], StringComparer.Ordinal),
            });
        }

        var clusters = new List<EmulatedCluster>();
        var clusterIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (fleet.Clusters?.Count ?? 0); i++)
        {
            var c = fleet.Clusters![i];
            var where = $"clusters[{i}] ({(string.IsNullOrEmpty(c?.ClusterId) ? "no clusterId" : c.ClusterId)})";
            if (c is null)
            {
                problems.Add($"{where}: empty entry");
                continue;
            }

            if (string.IsNullOrWhiteSpace(c.ClusterId))
            {
                problems.Add($"{where}: clusterId must not be empty");
            }
            else if (!clusterIds.Add(c.ClusterId))
            {
                problems.Add($"{where}: clusterId is used twice");
            }

            CheckRegion(c.RegionId, where);
            CheckOneOf(c.State, ClusterStates, where, "state");
            if (string.IsNullOrWhiteSpace(c.ClusterType))
            {
                problems.Add($"{where}: clusterType must not be empty (e.g. ManagedKubernetes)");
            }

            if (string.IsNullOrWhiteSpace(c.ClusterSpec))
            {
                problems.Add($"{where}: clusterSpec must not be empty (e.g. ack.pro.small)");
            }

            if (c.Encryption is { Disabled: false } e && string.IsNullOrWhiteSpace(e.KmsKeyId))
            {
                problems.Add($"{where}: encryption needs kmsKeyId unless disabled is true");
            }

            var created = Time(c.Created, where, "created") ?? DefaultCreated;
            var updated = Time(c.Updated, where, "updated") ?? created;
            clusters.Add(new EmulatedCluster
            {
                ClusterId = c.ClusterId ?? "",
                Name = string.IsNullOrWhiteSpace(c.Name) ? c.ClusterId ?? "" : c.Name,
                RegionId = c.RegionId ?? "",
                ClusterType = c.ClusterType ?? "",
                ClusterSpec = c.ClusterSpec ?? "",
                Profile = string.IsNullOrWhiteSpace(c.Profile) ? "Default" : c.Profile,
                State = c.State ?? "",
                CurrentVersion = c.CurrentVersion ?? "",
                Tags = new(c.Tags ?? [], StringComparer.Ordinal),
                EncryptionKeyId = c.Encryption?.KmsKeyId,
                EncryptionDisabled = c.Encryption?.Disabled ?? false,
                Created = created,
                Updated = updated,
            });
        }

        if (problems.Count > 0)
        {
            throw new FleetFileException(
                $"Fleet '{source}' has {problems.Count} problem(s):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}");
        }

        return new CompiledFleet(fleet.AccountId!, regions, clusters, keys);

        void CheckRegion(string? region, string where)
        {
            if (string.IsNullOrWhiteSpace(region))
            {
                problems.Add($"{where}: regionId must not be empty");
            }
            else if (!regions.Contains(region))
            {
                problems.Add($"{where}: regionId '{region}' is not in regions ({string.Join(", ", regions)})");
            }
        }

        void CheckOneOf(string? value, string[] allowed, string where, string field)
        {
            if (value is null || !allowed.Contains(value, StringComparer.Ordinal))
            {
                problems.Add($"{where}: {field} '{value}' is not one of {string.Join(", ", allowed)}");
            }
        }

        DateTimeOffset? Time(string? text, string where, string field)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            if (TryParseTime(text, now, out var value))
            {
                return value;
            }

            problems.Add($"{where}: {field} '{text}' is neither an ISO 8601 time nor now±N(d|h|m|s)");
            return null;
        }
    }

    /// <summary>Parses ISO 8601 or <c>now</c>, <c>now+5d</c>, <c>now-12h</c>, <c>now+30m</c>, <c>now+10s</c>.</summary>
    internal static bool TryParseTime(string text, DateTimeOffset now, out DateTimeOffset value)
    {
        var match = RelativeTime().Match(text.Trim());
        if (match.Success)
        {
            value = now;
            if (match.Groups[1].Success)
            {
                var amount = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) * (match.Groups[1].Value == "-" ? -1 : 1);
                value = match.Groups[3].Value switch
                {
                    "d" => now.AddDays(amount),
                    "h" => now.AddHours(amount),
                    "m" => now.AddMinutes(amount),
                    _ => now.AddSeconds(amount),
                };
            }

            // Whole seconds, as the APIs report them.
            value = new DateTimeOffset(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    private static string ServiceOf(List<string>? aliases)
    {
        var serviceAlias = aliases?.FirstOrDefault(a => a.StartsWith("alias/acs/", StringComparison.Ordinal));
        return serviceAlias is null ? "Service" : serviceAlias["alias/acs/".Length..].ToUpperInvariant();
    }

    private static string VersionOf(string keyId) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(keyId)))[..32];

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    [GeneratedRegex(@"^now(?:([+-])(\d+)([dhms]))?$")]
    private static partial Regex RelativeTime();

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)+$")]
    private static partial Regex RegionPattern();
}
