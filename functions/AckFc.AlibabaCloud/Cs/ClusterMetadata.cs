using System.Text.Json;

namespace AckFc.AlibabaCloud.Cs;

/// <summary>
/// Reads Secret encryption from a cluster's <c>meta_data</c> (<c>Capabilities.EncryptionKMSKeyId</c>,
/// <c>Capabilities.DisableEncryption</c>). Never throws: what cannot be read becomes <see cref="EncryptionState.Unknown"/>
/// with the reason, so one odd cluster cannot break a listing.
/// </summary>
internal static class ClusterMetadata
{
    public static ClusterEncryption ParseEncryption(JsonElement? metaData)
    {
        if (metaData is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return ClusterEncryption.Unreadable("meta_data is missing.");
        }

        if (element.ValueKind == JsonValueKind.Object)
        {
            return FromRoot(element);
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return ClusterEncryption.Unreadable($"meta_data is a JSON {element.ValueKind}, not a string.");
        }

        var text = element.GetString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return ClusterEncryption.Unreadable("meta_data is empty.");
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return FromRoot(document.RootElement);
        }
        catch (JsonException ex)
        {
            return ClusterEncryption.Unreadable($"meta_data is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }
    }

    private static ClusterEncryption FromRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ClusterEncryption.Unreadable($"meta_data holds a JSON {root.ValueKind}, not an object.");
        }

        // ACK leaves Capabilities out for clusters that never had encryption: that is "off", not "unknown".
        if (!root.TryGetProperty("Capabilities", out var capabilities) || capabilities.ValueKind == JsonValueKind.Null)
        {
            return ClusterEncryption.Off;
        }

        if (capabilities.ValueKind != JsonValueKind.Object)
        {
            return ClusterEncryption.Unreadable($"meta_data.Capabilities is a JSON {capabilities.ValueKind}, not an object.");
        }

        string? keyId = null;
        if (capabilities.TryGetProperty("EncryptionKMSKeyId", out var key))
        {
            if (key.ValueKind == JsonValueKind.String)
            {
                keyId = key.GetString();
            }
            else if (key.ValueKind != JsonValueKind.Null)
            {
                return ClusterEncryption.Unreadable($"meta_data.Capabilities.EncryptionKMSKeyId is a JSON {key.ValueKind}, not a string.");
            }
        }

        var disabled = false;
        if (capabilities.TryGetProperty("DisableEncryption", out var disable))
        {
            bool? flag = disable.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False or JsonValueKind.Null => false,
                JsonValueKind.String when bool.TryParse(disable.GetString(), out var parsed) => parsed,
                _ => null,
            };
            if (flag is null)
            {
                return ClusterEncryption.Unreadable($"meta_data.Capabilities.DisableEncryption is not a boolean ({disable.GetRawText()}).");
            }

            disabled = flag.Value;
        }

        if (string.IsNullOrWhiteSpace(keyId))
        {
            return ClusterEncryption.Off;
        }

        return disabled ? new ClusterEncryption(EncryptionState.Disabled, keyId) : ClusterEncryption.On(keyId);
    }
}
