namespace AckFc.Worker;

/// <summary>
/// Removes secrets the host knows of (environment credentials, webhook keys) from text before it reaches a log line.
/// Register implementations in the services; the worker always masks the invocation's own credentials as well.
/// </summary>
public interface ISecretMasker
{
    string Mask(string text);
}

/// <summary>Masks given secret values in their raw and percent-encoded (once and twice) forms.</summary>
public static class SecretMasking
{
    public const string Placeholder = "***";

    public static string Mask(string text, IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(secrets);
        foreach (var secret in secrets)
        {
            // Very short values would mask ordinary words; no secret of ours is that short.
            if (string.IsNullOrEmpty(secret) || secret.Length < 8)
            {
                continue;
            }

            var once = Uri.EscapeDataString(secret);
            foreach (var form in (ReadOnlySpan<string>)[secret, once, Uri.EscapeDataString(once)])
            {
                text = text.Replace(form, Placeholder, StringComparison.Ordinal);
            }
        }

        return text;
    }
}

/// <summary>Request ids go into log lines and file names: keep them to a safe alphabet and a bounded length.</summary>
public static class InvocationIds
{
    public const int MaxLength = 128;

    /// <summary>
    /// Letters, digits, <c>-</c>, <c>_</c> and <c>.</c> are kept; anything else (control characters, escapes, line
    /// breaks, slashes, spaces) becomes <c>_</c>; the result is cut at <see cref="MaxLength"/>. Null or empty gives null.
    /// </summary>
    public static string? Sanitise(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        var length = Math.Min(raw.Length, MaxLength);
        return string.Create(length, raw, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_';
            }
        });
    }
}
