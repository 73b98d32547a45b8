using System.Globalization;

namespace AckFc.Local.Emulator;

/// <summary>
/// ResourceManager (2020-03-31, RPC): <c>ListAccounts</c> of the resource directory, the management account first.
/// Only the management account's own credentials may call it.
/// </summary>
internal sealed class ResourceManagerApi(EmulatorState state)
{
    public const string Version = "2020-03-31";

    private const string RootId = "r-ackfc01";

    public static bool Knows(string action) => action == "ListAccounts";

    public ApiResponse Handle(ApiRequest r, VerifiedCaller caller)
    {
        if (caller.Session is not null)
        {
            throw new ApiException(403, "NoPermission",
                $"Account {caller.Session.AccountId} is a member of the resource directory: only the management account can call ListAccounts.");
        }

        var includeTags = string.Equals(r.Param("IncludeTags"), "true", StringComparison.OrdinalIgnoreCase);
        lock (state.Gate)
        {
            var page = r.Page(state.AccountsUnlocked);
            var directory = state.ResourceDirectoryId;
            return new(200, Json.Write(w =>
            {
                w.WriteStartObject();
                page.WriteCounts(w, r.RequestId);
                w.WriteStartObject("Accounts");
                w.WriteStartArray("Account");
                foreach (var a in page.Items)
                {
                    var time = a.JoinTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                    w.WriteStartObject();
                    w.WriteString("AccountId", a.AccountId);
                    w.WriteString("DisplayName", a.DisplayName);
                    w.WriteString("FolderId", a.FolderId);
                    w.WriteString("JoinMethod", a.JoinMethod);
                    w.WriteString("JoinTime", time);
                    w.WriteString("ModifyTime", time);
                    w.WriteString("ResourceDirectoryId", directory);
                    w.WriteString("ResourceDirectoryPath", a.FolderId == FleetLoader.RootFolder
                        ? $"{directory}/{RootId}/{a.AccountId}"
                        : $"{directory}/{RootId}/{a.FolderId}/{a.AccountId}");
                    w.WriteString("Status", a.Status);
                    w.WriteString("Type", a.Type);
                    if (includeTags)
                    {
                        w.WriteStartObject("Tags");
                        w.WriteStartArray("Tag");
                        foreach (var (key, value) in a.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
                        {
                            w.WriteStartObject();
                            w.WriteString("Key", key);
                            w.WriteString("Value", value);
                            w.WriteEndObject();
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }));
        }
    }
}
