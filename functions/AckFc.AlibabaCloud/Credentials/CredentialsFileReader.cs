namespace AckFc.AlibabaCloud.Credentials;

/// <summary>
/// Reads <c>access_key</c> profiles from the Alibaba Cloud INI credentials file. A singleton that re-parses
/// only when the file's size or write time changes.
/// </summary>
internal sealed class CredentialsFileReader
{
    public const string FileSource = "credentials file";

    private readonly Lock _gate = new();
    private (string Path, DateTime WriteTime, long Length, Dictionary<string, Dictionary<string, string>> Profiles)? _cache;

    /// <summary>The profile's credentials; null when the file or the profile does not exist.</summary>
    /// <exception cref="CredentialsNotFoundException">The profile exists but cannot be used.</exception>
    public AlibabaCloudCredentials? Read(string path, string profile)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        var profiles = Load(info);
        if (!profiles.TryGetValue(profile, out var values))
        {
            return null;
        }

        var type = values.GetValueOrDefault("type", "access_key");
        if (!string.Equals(type, "access_key", StringComparison.OrdinalIgnoreCase))
        {
            throw new CredentialsNotFoundException(
                $"Profile '{profile}' of the credentials file '{path}' has type '{type}'; only access_key profiles are supported.");
        }

        var id = values.GetValueOrDefault("access_key_id");
        var secret = values.GetValueOrDefault("access_key_secret");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            var missing = string.IsNullOrEmpty(id) ? "access_key_id" : "access_key_secret";
            throw new CredentialsNotFoundException($"Profile '{profile}' of the credentials file '{path}' has no {missing}.");
        }

        return new AlibabaCloudCredentials(id, secret, values.GetValueOrDefault("security_token"), FileSource);
    }

    private Dictionary<string, Dictionary<string, string>> Load(FileInfo info)
    {
        lock (_gate)
        {
            if (_cache is { } c && c.Path == info.FullName && c.WriteTime == info.LastWriteTimeUtc && c.Length == info.Length)
            {
                return c.Profiles;
            }

            var profiles = Parse(File.ReadAllLines(info.FullName));
            _cache = (info.FullName, info.LastWriteTimeUtc, info.Length, profiles);
            return profiles;
        }
    }

    internal static Dictionary<string, Dictionary<string, string>> Parse(IEnumerable<string> lines)
    {
        var profiles = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? section = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                var name = line[1..^1].Trim();
                if (!profiles.TryGetValue(name, out section))
                {
                    section = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    profiles[name] = section;
                }

                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section is null || eq <= 0)
            {
                continue;
            }

            section[line[..eq].Trim()] = Unquote(line[(eq + 1)..].Trim());
        }

        return profiles;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
