using System.Text.Json;
using AckFc.AlibabaCloud;
using AckFc.Core.Compliance;

namespace AckFc.Functions;

/// <summary>The sweep payload of the timer (contracts §3) and of <c>POST /sweeps</c>.</summary>
public sealed record SweepPayload(SweepMode Mode, IReadOnlyList<string>? Regions)
{
    /// <summary>Empty means <c>{"mode":"report"}</c>.</summary>
    public static SweepPayload Parse(ReadOnlySpan<byte> body, string what = "payload")
    {
        if (body.IsEmpty || body.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new SweepPayload(SweepMode.Report, null);
        }

        var mode = SweepMode.Report;
        List<string>? regions = null;
        StrictJson.ReadObject(body, what, (string name, ref Utf8JsonReader reader) =>
        {
            switch (name)
            {
                case "mode":
                    mode = StrictJson.StringOrNull(ref reader, name) switch
                    {
                        "report" => SweepMode.Report,
                        "remediate" => SweepMode.Remediate,
                        var other => throw new BadRequestException(name, $"mode must be report or remediate, not '{other}'."),
                    };
                    break;
                case "regions":
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw new BadRequestException(name, "regions must be a list of region ids.");
                    }

                    regions = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var region = reader.TokenType == JsonTokenType.String ? StrictJson.Text(ref reader, name) : throw new BadRequestException(name, "regions must be a list of strings.");
                        if (!AlibabaCloudRegion.IsValid(region))
                        {
                            throw new BadRequestException(name, $"'{region}' is not a region id such as cn-hangzhou.");
                        }

                        regions.Add(region);
                    }

                    break;
                default: throw new BadRequestException(name, $"Unknown field '{name}': a sweep takes mode and regions.");
            }
        });
        return new SweepPayload(mode, regions);
    }

    /// <summary>
    /// A sweep covers only the configured regions (<c>ACKFC_REGIONS</c>): a region named in a request or a timer payload
    /// that is not one of them is refused, naming the field, so neither the webhook nor a timer acts outside the scope.
    /// </summary>
    public void RequireConfiguredRegions(IReadOnlyList<string> configured, string field = "regions")
    {
        ArgumentNullException.ThrowIfNull(configured);
        foreach (var region in Regions ?? [])
        {
            if (!configured.Contains(region, StringComparer.Ordinal))
            {
                throw new BadRequestException(field, $"'{region}' is not one of the configured regions ({string.Join(", ", configured)}, from ACKFC_REGIONS): a sweep covers only those.");
            }
        }
    }
}
