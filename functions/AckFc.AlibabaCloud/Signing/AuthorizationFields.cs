namespace AckFc.AlibabaCloud.Signing;

/// <summary>
/// The <c>Authorization</c> header shape both Alibaba Cloud signatures share: <c>&lt;algorithm&gt; Name=value,Name=value</c>
/// (ACS V3 and OSS V4 differ only in their algorithm and field names).
/// </summary>
internal static class AuthorizationFields
{
    /// <summary>
    /// The values of <paramref name="names"/>, in that order (null where a name is absent); null when the header is not
    /// of <paramref name="algorithm"/>, a part is not <c>name=value</c> with a name, or a name is not one of
    /// <paramref name="names"/>. Empty parts (<c>a,,b</c>) are refused unless <paramref name="skipEmptyParts"/>.
    /// </summary>
    public static string?[]? Parse(string? header, string algorithm, string[] names, bool skipEmptyParts)
    {
        if (header is null || !header.StartsWith(algorithm + " ", StringComparison.Ordinal))
        {
            return null;
        }

        var values = new string?[names.Length];
        var options = StringSplitOptions.TrimEntries | (skipEmptyParts ? StringSplitOptions.RemoveEmptyEntries : StringSplitOptions.None);
        foreach (var part in header[(algorithm.Length + 1)..].Split(',', options))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var index = eq > 0 ? Array.IndexOf(names, part[..eq]) : -1;
            if (index < 0)
            {
                return null;
            }

            values[index] = part[(eq + 1)..];
        }

        return values;
    }
}
