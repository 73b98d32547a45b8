namespace AckFc.Worker;

/// <summary>
/// A route such as <c>clusters/{clusterId}/kms</c>, matched against the raw request target: the path is split on
/// <c>/</c> before anything is decoded (an encoded <c>%2F</c> stays inside its segment), then each segment is
/// percent-decoded exactly once, so <c>c%252D…</c> is the value <c>c%2D…</c>, never <c>c-…</c>.
/// </summary>
internal sealed class RouteTemplate
{
    private readonly string?[] literals;
    private readonly string?[] names;

    private RouteTemplate(string text, string?[] literals, string?[] names)
    {
        Text = text;
        this.literals = literals;
        this.names = names;
    }

    /// <summary>The template as declared, without leading or trailing <c>/</c>.</summary>
    public string Text { get; }

    public static RouteTemplate Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var text = template.Trim('/');
        var segments = text.Split('/');
        var literals = new string?[segments.Length];
        var names = new string?[segments.Length];
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment is ['{', .. var name, '}'])
            {
                names[i] = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
                    ? name
                    : throw new InvalidOperationException($"Route '{template}': '{segment}' is not a {{name}} of letters, digits and '_'.");
            }
            else
            {
                literals[i] = segment.Length > 0 && !segment.Contains('{', StringComparison.Ordinal) && !segment.Contains('}', StringComparison.Ordinal)
                    ? segment
                    : throw new InvalidOperationException($"Route '{template}': segment {i + 1} is empty or has a brace outside a {{name}}.");
            }
        }

        return new RouteTemplate(text, literals, names);
    }

    /// <summary>The path segments of a raw request target (before <c>?</c>, outer slashes trimmed), still encoded.</summary>
    public static string[] RawSegments(string rawTarget)
    {
        ArgumentNullException.ThrowIfNull(rawTarget);
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        return (query < 0 ? rawTarget : rawTarget[..query]).Trim('/').Split('/');
    }

    /// <summary>The route values when <paramref name="rawSegments"/> match; null otherwise.</summary>
    public Dictionary<string, string>? Match(string[] rawSegments)
    {
        ArgumentNullException.ThrowIfNull(rawSegments);
        if (rawSegments.Length != literals.Length)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < rawSegments.Length; i++)
        {
            var decoded = Uri.UnescapeDataString(rawSegments[i]);
            if (names[i] is { } name)
            {
                values[name] = decoded;
            }
            else if (!string.Equals(decoded, literals[i], StringComparison.Ordinal))
            {
                return null;
            }
        }

        return values;
    }
}
