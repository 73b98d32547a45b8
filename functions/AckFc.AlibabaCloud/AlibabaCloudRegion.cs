using System.Text.RegularExpressions;

namespace AckFc.AlibabaCloud;

/// <summary>Region ids as Alibaba Cloud spells them: <c>cn-hangzhou</c>, <c>ap-southeast-1</c>, <c>cn-shanghai-finance-1</c>.</summary>
public static partial class AlibabaCloudRegion
{
    /// <summary>True when <paramref name="regionId"/> has the shape of a region id.</summary>
    public static bool IsValid(string? regionId) => regionId is not null && Shape().IsMatch(regionId);

    /// <summary>Throws <see cref="ArgumentException"/> naming the value when it is not a region id.</summary>
    public static void EnsureValid(string? regionId, string parameterName = "regionId")
    {
        if (!IsValid(regionId))
        {
            throw new ArgumentException(
                $"'{regionId}' is not a region id: expected lower-case words joined by '-', such as cn-hangzhou or ap-southeast-1.",
                parameterName);
        }
    }

    // The region is pasted into a host name, so only DNS-label characters may pass.
    [GeneratedRegex("^[a-z]{2,}(?:-[a-z0-9]+){1,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
