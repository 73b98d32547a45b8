using System.Diagnostics.CodeAnalysis;

namespace AckFc.Core.Signatures;

/// <summary>
/// One <c>keyId:secret</c> key of the <c>X-AckFc-Signature</c> scheme: a key id of letters, digits, <c>-</c>, <c>_</c>
/// and <c>.</c> (it goes into the header unescaped) and a secret of at least <see cref="MinimumSecretLength"/> characters.
/// Errors name the entry's position and key id, never the secret.
/// </summary>
public sealed record SigningKey(string KeyId, string Secret)
{
    public const int MinimumSecretLength = 32;

    /// <summary>One <c>keyId:secret</c>, taken as it is (no trimming).</summary>
    public static bool TryParse(string? entry, [NotNullWhen(true)] out SigningKey? key) => TryParse(entry, 1, out key, out _);

    /// <summary>
    /// A list <c>keyId:secret,…</c> (entries trimmed, empty ones skipped) as key id to secret; empty or blank text is no
    /// key. <paramref name="error"/> says what is wrong, without naming the source (the caller prefixes it).
    /// </summary>
    public static bool TryParseList(string? text, out IReadOnlyDictionary<string, string> keys, [NotNullWhen(false)] out string? error)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        keys = found;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var index = 0;
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            index++;
            if (!TryParse(entry, index, out var key, out error))
            {
                return false;
            }

            if (!found.TryAdd(key.KeyId, key.Secret))
            {
                error = $"key id '{key.KeyId}' appears twice.";
                return false;
            }
        }

        return true;
    }

    private static bool TryParse(string? entry, int index, [NotNullWhen(true)] out SigningKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var colon = entry?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (entry is null || colon <= 0 || colon == entry.Length - 1)
        {
            error = $"entry {index} is not keyId:secret.";
            return false;
        }

        var keyId = entry[..colon];
        if (!keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            error = $"entry {index} has a key id with characters other than letters, digits, '-', '_' and '.'.";
            return false;
        }

        if (entry.Length - colon - 1 < MinimumSecretLength)
        {
            error = $"the secret of key id '{keyId}' is shorter than {MinimumSecretLength} characters.";
            return false;
        }

        key = new SigningKey(keyId, entry[(colon + 1)..]);
        error = null;
        return true;
    }

    // Never print the secret.
    public override string ToString() => $"SigningKey {{ KeyId = {KeyId} }}";
}
