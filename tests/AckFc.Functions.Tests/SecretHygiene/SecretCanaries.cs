using System.Security.Cryptography;
using System.Text;

namespace AckFc.Functions.Tests.SecretHygiene;

/// <summary>
/// Distinctive secret values, one per kind of secret AckFc handles, and a scan for any of them in what AckFc wrote.
/// A value counts as leaked when the whole of it or any 12-character piece of it shows up, so a truncated snippet
/// ("Body starts: …") or a prefix in a log line is caught too.
/// </summary>
public sealed class SecretCanaries
{
    /// <summary>How long a piece of a secret must be to count as a leak (short pieces could match by chance).</summary>
    public const int PieceLength = 12;

    private readonly Dictionary<string, string> secrets = new(StringComparer.Ordinal);

    /// <summary>A fresh secret value named <paramref name="kind"/>, made of letters and digits only, so JSON,
    /// URL and HTML encoding would leave it unchanged and cannot hide it from the scan.</summary>
    public string New(string kind, string prefix = "")
    {
        // Random first: no two secrets share a 12-character piece, so a finding names the right one.
        var value = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + kind.Replace("-", string.Empty, StringComparison.Ordinal);
        secrets.Add(kind, value);
        return value;
    }

    public IReadOnlyDictionary<string, string> All => secrets;

    /// <summary>Every (kind, where) pair for which a piece of a secret appears in one of the texts.</summary>
    public IReadOnlyList<string> FindIn(IEnumerable<(string Where, string Text)> texts)
    {
        var leaks = new List<string>();
        foreach (var (where, text) in texts)
        {
            foreach (var (kind, secret) in secrets)
            {
                for (var start = 0; start + PieceLength <= secret.Length; start++)
                {
                    if (text.Contains(secret.AsSpan(start, PieceLength), StringComparison.Ordinal))
                    {
                        leaks.Add($"{kind} in {where}: …{Around(text, secret.Substring(start, PieceLength))}…");
                        break;
                    }
                }
            }
        }

        return leaks;
    }

    private static string Around(string text, string piece)
    {
        var at = text.IndexOf(piece, StringComparison.Ordinal);
        var from = Math.Max(0, at - 60);
        return text.Substring(from, Math.Min(text.Length - from, piece.Length + 120)).ReplaceLineEndings(" ");
    }
}

/// <summary>Everything AckFc said during a test, by where it was said.</summary>
public sealed class Transcript
{
    private readonly List<(string Where, string Text)> texts = [];
    private readonly Lock gate = new();

    public void Add(string where, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            lock (gate)
            {
                texts.Add((where, text));
            }
        }
    }

    public async Task AddAsync(string where, HttpResponseMessage response)
    {
        var text = new StringBuilder().Append((int)response.StatusCode).Append('\n');
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            text.Append(name).Append(": ").AppendJoin(", ", values).Append('\n');
        }

        text.Append(await response.Content.ReadAsStringAsync());
        Add(where, text.ToString());
    }

    /// <summary>Every file under <paramref name="directory"/> (report sets, latest.json, publish state).</summary>
    public void AddFiles(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            Add(Path.GetRelativePath(directory, file), File.ReadAllText(file));
        }
    }

    public IReadOnlyList<(string Where, string Text)> Snapshot()
    {
        lock (gate)
        {
            return [.. texts];
        }
    }
}
