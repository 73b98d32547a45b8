using System.Text.RegularExpressions;

namespace AckFc.Core.Clusters;

/// <summary>What an ACK cluster id is: <c>c</c> followed by 6–64 lowercase letters, digits or dashes, matched whole.</summary>
public static partial class ClusterId
{
    /// <summary>The format in words, for answers that refuse an id.</summary>
    public const string Format = "an ACK cluster id: 'c' followed by 6 to 64 lowercase letters, digits or dashes";

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    // \A…\z: '$' would also match before a final '\n', letting "c-demo%0A" through to the cloud, the logs and the answer.
    [GeneratedRegex(@"\Ac[0-9a-z-]{6,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
