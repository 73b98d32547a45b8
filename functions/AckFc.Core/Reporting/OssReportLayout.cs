using System.Globalization;

namespace AckFc.Core.Reporting;

/// <summary>Key names of the OSS layout that tools outside the store need (the local runner's links).</summary>
public static class OssReportLayout
{
    /// <summary><c>{prefix}sweeps/{yyyy-MM-dd}/{sweepId}/</c> for a sweep at <paramref name="sweepTime"/> (its trigger time, else its start).</summary>
    public static string SetPrefix(string prefix, string sweepId, DateTimeOffset sweepTime) =>
        prefix + "sweeps/" + sweepTime.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "/" + FileReportStore.SafeId(sweepId) + "/";
}
