using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AckFc.AlibabaCloud.Sts;

namespace AckFc.AlibabaCloud.Credentials;

/// <summary>The credential modes of an <c>aliyun</c> CLI profile that AckFc can use.</summary>
public enum CliProfileMode
{
    /// <summary><c>AK</c>: a long-term access key.</summary>
    AccessKey,

    /// <summary><c>StsToken</c>: a temporary key with its STS token.</summary>
    StsToken,

    /// <summary><c>RamRoleArn</c>: an access key that assumes <see cref="CliProfile.RoleArn"/> through STS.</summary>
    RamRoleArn,

    /// <summary><c>EcsRamRole</c>: the role of the ECS instance, from its metadata service.</summary>
    EcsRamRole,
}

/// <summary>
/// One profile of the <c>aliyun</c> CLI's <c>config.json</c>, checked: what it needs for its mode is there. Nothing is
/// called yet (a <see cref="CliProfileMode.RamRoleArn"/> profile still has to assume its role). <see cref="ToString"/>
/// shows no secret.
/// </summary>
public sealed record CliProfile(
    string Name,
    CliProfileMode Mode,
    AlibabaCloudCredentials? Keys,
    string? RoleArn = null,
    string? SessionName = null,
    TimeSpan? Duration = null,
    string? StsRegion = null,
    string? EcsRoleName = null,
    string? RegionId = null);

/// <summary>
/// Reads the <c>aliyun</c> CLI's configuration (<c>~/.aliyun/config.json</c>: <c>current</c> and a list of
/// <c>profiles</c>, each with a <c>name</c> and a <c>mode</c>). Every problem is a
/// <see cref="CredentialsNotFoundException"/> that names the file, the profile and the field — never a value from
/// the file, which holds secrets.
/// </summary>
public static partial class CliConfigReader
{
    /// <summary>How long an assumed role lasts when the profile does not say (<c>expired_seconds</c> 0 or absent).</summary>
    public static readonly TimeSpan DefaultRoleDuration = TimeSpan.FromHours(1);

    public const string DefaultSessionName = "ackfc-cli";

    private static readonly string[] Supported = ["AK", "StsToken", "RamRoleArn", "EcsRamRole"];

    /// <summary>Where the CLI keeps its configuration for the current user.</summary>
    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aliyun", "config.json");

    /// <summary>
    /// The profile <paramref name="profileName"/>, or the file's <c>current</c> profile when it is null or empty (as
    /// the CLI does), or <c>default</c> when the file names none.
    /// </summary>
    public static CliProfile Read(string path, string? profileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CredentialsNotFoundException(
                $"The aliyun CLI configuration '{path}' does not exist: run `aliyun configure --profile <name>`, or choose credentials another way (environment variables, the credentials file).");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialsNotFoundException($"The aliyun CLI configuration '{path}' cannot be read ({e.GetType().Name}).");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            // The position only: the text around it may be a secret.
            throw new CredentialsNotFoundException(string.Create(CultureInfo.InvariantCulture,
                $"The aliyun CLI configuration '{path}' is not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1})."));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("profiles", out var profiles) || profiles.ValueKind != JsonValueKind.Array || profiles.GetArrayLength() == 0)
            {
                throw new CredentialsNotFoundException($"The aliyun CLI configuration '{path}' has no profiles (an object with a non-empty \"profiles\" list is expected).");
            }

            var wanted = !string.IsNullOrWhiteSpace(profileName) ? profileName.Trim()
                : Text(root, "current") is { Length: > 0 } current ? current
                : "default";
            var names = new List<string>();
            JsonElement? match = null;
            foreach (var profile in profiles.EnumerateArray())
            {
                var name = profile.ValueKind == JsonValueKind.Object ? Text(profile, "name") : null;
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }

                names.Add(name);
                if (string.Equals(name, wanted, StringComparison.Ordinal))
                {
                    if (match is not null)
                    {
                        throw new CredentialsNotFoundException($"The aliyun CLI configuration '{path}' has two profiles named '{wanted}'.");
                    }

                    match = profile;
                }
            }

            if (match is not { } found)
            {
                throw new CredentialsNotFoundException(
                    $"The aliyun CLI configuration '{path}' has no profile '{wanted}'; it has: {(names.Count == 0 ? "none with a name" : string.Join(", ", names))}.");
            }

            return Parse(path, wanted, found);
        }
    }

    private static CliProfile Parse(string path, string name, JsonElement profile)
    {
        var at = $"profile '{name}' of the aliyun CLI configuration '{path}'";
        var mode = Text(profile, "mode") is { Length: > 0 } m ? m : "AK";
        var region = Text(profile, "region_id");
        switch (mode)
        {
            case "AK":
                return new CliProfile(name, CliProfileMode.AccessKey, Keys(profile, name, at, mode, token: false), RegionId: region);
            case "StsToken":
                return new CliProfile(name, CliProfileMode.StsToken, Keys(profile, name, at, mode, token: true), RegionId: region);
            case "RamRoleArn":
                var arn = Required(profile, "ram_role_arn", at, mode);
                if (!RoleArnPattern().IsMatch(arn))
                {
                    throw new CredentialsNotFoundException($"The {at}: ram_role_arn must look like acs:ram::<account id>:role/<role name>.");
                }

                var session = Text(profile, "ram_session_name") is { Length: > 0 } s ? s : DefaultSessionName;
                if (!StsRules.IsValidSessionName(session))
                {
                    throw new CredentialsNotFoundException(string.Create(CultureInfo.InvariantCulture,
                        $"The {at}: ram_session_name must be 2-{StsRules.MaxSessionNameLength} characters of letters, digits, '.', '@', '-' or '_'."));
                }

                return new CliProfile(name, CliProfileMode.RamRoleArn, Keys(profile, name, at, mode, token: false), arn, session,
                    Duration(profile, at), Text(profile, "sts_region") is { Length: > 0 } sts ? sts : null, RegionId: region);
            case "EcsRamRole":
                // An empty role name is allowed: the metadata service names the instance's role.
                return new CliProfile(name, CliProfileMode.EcsRamRole, null, EcsRoleName: Text(profile, "ram_role_name") is { Length: > 0 } role ? role : null, RegionId: region);
            default:
                throw new CredentialsNotFoundException($"The {at} has mode '{Visible(mode)}', which AckFc does not support; supported: {string.Join(", ", Supported)}.");
        }
    }

    private static AlibabaCloudCredentials Keys(JsonElement profile, string name, string at, string mode, bool token)
    {
        var id = Required(profile, "access_key_id", at, mode);
        var secret = Required(profile, "access_key_secret", at, mode);
        var sts = token ? Required(profile, "sts_token", at, mode) : null;
        return new AlibabaCloudCredentials(id, secret, sts, $"aliyun CLI profile {Visible(name)}");
    }

    private static TimeSpan Duration(JsonElement profile, string at)
    {
        if (!profile.TryGetProperty("expired_seconds", out var value) || value.ValueKind is JsonValueKind.Null)
        {
            return DefaultRoleDuration;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var seconds) || seconds < 0)
        {
            throw new CredentialsNotFoundException($"The {at}: expired_seconds must be a whole number of seconds.");
        }

        var duration = seconds == 0 ? DefaultRoleDuration : TimeSpan.FromSeconds(seconds);
        return duration >= StsRules.MinDuration && duration <= StsRules.MaxDuration
            ? duration
            : throw new CredentialsNotFoundException(string.Create(CultureInfo.InvariantCulture,
                $"The {at}: expired_seconds is {seconds}; STS accepts {StsRules.MinDuration.TotalSeconds:0} to {StsRules.MaxDuration.TotalSeconds:0}."));
    }

    private static string Required(JsonElement profile, string field, string at, string mode) =>
        Text(profile, field) is { Length: > 0 } value
            ? value
            : throw new CredentialsNotFoundException($"The {at} has mode {mode} but no {field}.");

    private static string? Text(JsonElement element, string field) =>
        element.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()?.Trim() : null;

    // A mode or name is shown back to the user; keep it one short line of visible characters.
    private static string Visible(string text) =>
        new([.. text.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);

    [GeneratedRegex(@"^acs:ram::\d{1,32}:role/[A-Za-z0-9._\-/]{1,128}$")]
    private static partial Regex RoleArnPattern();
}
