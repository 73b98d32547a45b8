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

    internal static readonly string[] AccountStatuses =
    [
        "CreateSuccess", "InviteSuccess", "PromoteSuccess", "CreateVerifying", "CreateFailed", "CreateExpired", "CreateCancelled",
        "PromoteVerifying", "PromoteFailed", "PromoteExpired", "PromoteCancelled",
    ];

    internal static readonly string[] JoinMethods = ["created", "invited"];
    internal static readonly string[] AccountTypes = ["ResourceAccount", "CloudAccount"];

    /// <summary>The folder an account without <c>folderId</c> sits in.</summary>
    internal const string RootFolder = "fd-ackfcroot";

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
        var clusters = new List<EmulatedCluster>();
        var clusterIds = new HashSet<string>(StringComparer.Ordinal);
        CompileResources(fleet.AccountId ?? "", fleet.Clusters, fleet.Keys, "");
        var accounts = new List<EmulatedAccount>
        {
            new()
            {
                AccountId = fleet.AccountId ?? "",
                DisplayName = string.IsNullOrWhiteSpace(fleet.DisplayName) ? "management" : fleet.DisplayName,
                Status = "CreateSuccess",
                JoinMethod = "created",
                Type = "CloudAccount",
                FolderId = RootFolder,
                JoinTime = DefaultCreated,
                IsManagement = true,
                Tags = [],
            },
        };
        var accountIds = new HashSet<string>(StringComparer.Ordinal) { fleet.AccountId ?? "" };
        for (var i = 0; i < (fleet.Accounts?.Count ?? 0); i++)
        {
            var a = fleet.Accounts![i];
            var where = $"accounts[{i}] ({(string.IsNullOrEmpty(a?.AccountId) ? "no accountId" : a.AccountId)})";
            if (a is null)
            {
                problems.Add($"{where}: empty entry");
                continue;
            }

            if (string.IsNullOrWhiteSpace(a.AccountId))
            {
                problems.Add($"{where}: accountId must not be empty");
            }
            else if (!AccountIdPattern().IsMatch(a.AccountId))
            {
                problems.Add($"{where}: accountId '{a.AccountId}' is not an account id (digits only, e.g. 1000000000000002)");
            }
            else if (!accountIds.Add(a.AccountId))
            {
                problems.Add($"{where}: accountId is used twice (or is the management account's)");
            }

            CheckOneOf(a.Status, AccountStatuses, where, "status");
            CheckOneOf(a.JoinMethod, JoinMethods, where, "joinMethod");
            CheckOneOf(a.Type, AccountTypes, where, "type");
            if (!string.IsNullOrEmpty(a.FolderId) && !a.FolderId.StartsWith("fd-", StringComparison.Ordinal))
            {
                problems.Add($"{where}: folderId '{a.FolderId}' must start with 'fd-'");
            }

            if (!string.IsNullOrEmpty(a.Role) && !RoleNamePattern().IsMatch(a.Role))
            {
                problems.Add($"{where}: role '{a.Role}' is not a RAM role name (letters, digits, '.', '-', '_'; at most 64)");
            }

            if (a.MaxSessionDuration is < 900 or > 43200)
            {
                problems.Add($"{where}: maxSessionDuration {a.MaxSessionDuration} must be from 900 to 43200 seconds");
            }

            if (a.Faults is { } f && (f.AssumeRoleThrottles < -1 || f.ApiThrottles < -1))
            {
                problems.Add($"{where}: faults.assumeRoleThrottles and faults.apiThrottles must be -1 (always) or a count from 0");
            }

            var joined = Time(a.JoinTime, where, "joinTime") ?? DefaultCreated;
            CompileResources(a.AccountId ?? "", a.Clusters, a.Keys, where + ": ");
            accounts.Add(new EmulatedAccount
            {
                AccountId = a.AccountId ?? "",
                DisplayName = string.IsNullOrWhiteSpace(a.DisplayName) ? a.AccountId ?? "" : a.DisplayName,
                Status = a.Status ?? "",
                JoinMethod = a.JoinMethod ?? "",
                Type = a.Type ?? "",
                FolderId = string.IsNullOrEmpty(a.FolderId) ? RootFolder : a.FolderId,
                JoinTime = joined,
                IsManagement = false,
                Role = string.IsNullOrWhiteSpace(a.Role) ? null : a.Role,
                MaxSessionDuration = a.MaxSessionDuration,
                Tags = new(a.Tags ?? [], StringComparer.Ordinal),
                AssumeRoleThrottles = a.Faults?.AssumeRoleThrottles ?? 0,
                ApiThrottles = a.Faults?.ApiThrottles ?? 0,
            });
        }

        if (problems.Count > 0)
        {
            throw new FleetFileException(
                $"Fleet '{source}' has {problems.Count} problem(s):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}");
        }

        return new CompiledFleet(fleet.AccountId!, regions, clusters, keys)
        {
            Accounts = accounts,
            ResourceDirectoryId = string.IsNullOrWhiteSpace(fleet.ResourceDirectoryId) ? "rd-ackfc0001" : fleet.ResourceDirectoryId,
        };

        void CompileResources(string owner, List<ClusterDefinition>? clusterList, List<KeyDefinition>? keyList, string prefix)
        {
            for (var i = 0; i < (keyList?.Count ?? 0); i++)
            {
                var k = keyList![i];
                var where = $"{prefix}keys[{i}] ({(string.IsNullOrEmpty(k?.KeyId) ? "no keyId" : k.KeyId)})";
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
                    problems.Add($"{where}: keyId is used twice (key ids are unique across every account of the fleet)");
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
                    AccountId = owner,
                    KeyState = k.KeyState ?? "",
                    KeySpec = k.KeySpec ?? "",
                    KeyUsage = k.KeyUsage ?? "",
                    Origin = k.Origin ?? "",
                    ProtectionLevel = k.ProtectionLevel ?? "",
                    CreatorType = k.CreatorType ?? "",
                    Creator = !string.IsNullOrEmpty(k.Creator) ? k.Creator : k.CreatorType == "Service" ? ServiceOf(k.Aliases) : owner,
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

            for (var i = 0; i < (clusterList?.Count ?? 0); i++)
            {
                var c = clusterList![i];
                var where = $"{prefix}clusters[{i}] ({(string.IsNullOrEmpty(c?.ClusterId) ? "no clusterId" : c.ClusterId)})";
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
                    problems.Add($"{where}: clusterId is used twice (cluster ids are unique across every account)");
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
                    AccountId = owner,
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
        }

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

    [GeneratedRegex(@"^[0-9]{1,32}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex RoleNamePattern();

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)+$")]
    private static partial Regex RegionPattern();
}
